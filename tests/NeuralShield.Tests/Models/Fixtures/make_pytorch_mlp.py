"""Writes the PyTorch state_dict fixture of PyTorchWeightsTests.

Regenerate (PyTorch >= 1.6, any CPU build; Debian: apt-get install python3-torch):

    cd tests/NeuralShield.Tests/Models/Fixtures && /usr/bin/python3 make_pytorch_mlp.py

Outputs, both committed:
  pytorch-mlp-4-5-3.pt    torch.save(model.state_dict()) of Flatten, Linear(4, 5), ReLU, Linear(5, 3), seed 0:
                          keys "1.weight", "1.bias", "3.weight", "3.bias" (nn.Sequential numbers its layers)
  pytorch-mlp-4-5-3.json  two inputs [2, 4] and the logits PyTorch computes for them
"""
import json

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
torch.save(model.state_dict(), "pytorch-mlp-4-5-3.pt")

inputs = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.9, 0.0, 0.5, 0.25]])
with torch.no_grad():
    logits = model(inputs)
with open("pytorch-mlp-4-5-3.json", "w") as f:
    json.dump({"torch": torch.__version__, "inputs": inputs.tolist(), "logits": logits.tolist()}, f, indent=2)
    f.write("\n")
