#!/usr/bin/python3
"""Makes the small classifiers the importer tests load (Debian's PyTorch 1.13, CPU).

Each model is trained briefly on MNIST (the first 10,000 training images of ../shared/data/mnist) or UCI Adult,
exported, and its PyTorch clean accuracy recorded in models.json: on the whole MNIST test set (10,000 images) or on
the first 2,000 Adult test rows, the samples `neuralshield audit` measures clean accuracy on. Run from the
repository root:  /usr/bin/python3 tests/NeuralShield.Tests/Models/Imported/make_models.py
"""
import gzip, json, os, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("NEURALSHIELD_SHARED", os.path.join(HERE, "../../../../../shared"))
MNIST = os.path.join(SHARED, "data", "mnist")
ADULT = os.path.join(SHARED, "data", "adult")
MEAN, STD = 0.1307, 0.3081


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist():
    xtr = torch.tensor(idx(os.path.join(MNIST, "train-first10k-images-idx3-ubyte.gz")), dtype=torch.float32).unsqueeze(1) / 255
    ytr = torch.tensor(idx(os.path.join(MNIST, "train-first10k-labels-idx1-ubyte.gz")), dtype=torch.long)
    xte = torch.tensor(idx(os.path.join(MNIST, "t10k-images-idx3-ubyte.gz")), dtype=torch.float32).unsqueeze(1) / 255
    yte = torch.tensor(idx(os.path.join(MNIST, "t10k-labels-idx1-ubyte.gz")), dtype=torch.long)
    return xtr, ytr, xte, yte


def adult_rows(path):
    rows = []
    with gzip.open(path, "rt") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("|"):
                continue
            fields = [s.strip() for s in line.split(",")]
            rows.append(fields)
    return rows


NUMERIC = [True, False, True, False, True, False, False, False, False, False, True, True, True, False]


def adult():
    """The library's encoding (AdultDataset): numeric columns standardised with the training rows' mean and population
    standard deviation, categorical columns one-hot over the training rows' categories in ordinal order."""
    train = adult_rows(os.path.join(ADULT, "adult.data.gz"))
    test = adult_rows(os.path.join(ADULT, "adult.test.gz"))
    columns = []
    for c in range(14):
        if NUMERIC[c]:
            v = np.array([float(r[c]) for r in train])
            std = v.std()
            columns.append(("num", v.mean(), std if std > 0 else 1.0))
        else:
            columns.append(("cat", sorted(set(r[c] for r in train)), None))
    def encode(rows):
        out = []
        for r in rows:
            feats = []
            for c, (kind, a, b) in enumerate(columns):
                if kind == "num":
                    feats.append((float(r[c]) - a) / b)
                else:
                    feats.extend(1.0 if r[c] == cat else 0.0 for cat in a)
            out.append(feats)
        labels = [0 if r[14].rstrip(".") == "<=50K" else 1 for r in rows]
        return torch.tensor(out, dtype=torch.float32), torch.tensor(labels)
    return encode(train) + encode(test)


def train(model, x, y, prepare, epochs=5, lr=3e-3, batch=64):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch):
            b = perm[i:i + batch]
            opt.zero_grad()
            out = model(prepare(x[b]))
            loss = F.nll_loss(torch.log(out.clamp_min(1e-12)), y[b]) if getattr(model, "probabilities", False) else F.cross_entropy(out, y[b])
            loss.backward()
            opt.step()
    model.eval()


def accuracy(model, x, y, prepare):
    with torch.no_grad():
        return float((model(prepare(x)).argmax(1) == y).float().mean())


class FlatMlp(nn.Module):
    """[N, 784] pixels in [0, 1] → logits."""
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class NhwcPixelsSoftmax(nn.Module):
    """[N, 28, 28, 1] raw pixels 0–255 → probabilities (Transpose, Div, a dynamic reshape, Softmax)."""
    probabilities = True

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 5, stride=2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2)
        self.fc = nn.Linear(16 * 5 * 5, 10)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2) / 255.0
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        return F.softmax(self.fc(x.reshape(x.shape[0], -1)), dim=1)


class NchwPixels(nn.Module):
    """[N, 1, 28, 28] raw pixels 0–255 → logits (Sub/Mul normalisation, BatchNormalization, MaxPool, Sigmoid, Flatten)."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn = nn.BatchNorm1d(32)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.fc1 = nn.Linear(16 * 6 * 6, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = (x - 127.5) * (1.0 / 127.5)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.sigmoid(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(torch.tanh(self.bn(self.fc1(x))))


class FixedBatchCnn(nn.Module):
    """Opset 17, batch fixed at 1, odd names: Pad, AveragePool, Clip (ReLU6), LeakyRelu, Squeeze/Unsqueeze, LogSoftmax."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2)
        self.fc = nn.Linear(16 * 6 * 6, 10)

    def forward(self, x):
        x = F.pad(x, (1, 1, 1, 1))
        x = F.avg_pool2d(F.relu6(self.conv1(x)), 2)
        x = F.leaky_relu(self.conv2(x), 0.1)
        x = x.flatten(1).unsqueeze(1).squeeze(1)
        return F.log_softmax(self.fc(x), dim=1)


class AdultMlp(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc1 = nn.Linear(width, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


class GapCnn(nn.Module):
    """Inputs normalised with MNIST's mean and std; global average pooling and a mean over the spatial axes."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(32, 10, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        g = self.pool(x)
        m = x.mean(dim=(2, 3), keepdim=True)
        return self.conv3(g + m).flatten(1)


def export(model, example, name, opset, dynamic=True, input_name="input", output_name="output"):
    path = os.path.join(HERE, name)
    axes = {input_name: {0: "batch"}, output_name: {0: "batch"}} if dynamic else None
    torch.onnx.export(model, example, path, opset_version=opset, input_names=[input_name], output_names=[output_name],
                      dynamic_axes=axes, do_constant_folding=True)
    return path


def main():
    xtr, ytr, xte, yte = mnist()
    results = {}
    models = {}
    unit = lambda x: x

    m = FlatMlp(); flat = lambda x: x.reshape(len(x), -1)
    train(m, xtr, ytr, flat)
    export(m, torch.zeros(1, 784), "mlp-flat.onnx", 13)
    models["mlp-flat.onnx"] = m
    results["mlp-flat.onnx"] = {"data": "mnist", "layout": "flat", "scale": 1, "output": "logits", "accuracy": accuracy(m, xte, yte, flat)}

    m = NhwcPixelsSoftmax(); nhwc = lambda x: x.permute(0, 2, 3, 1) * 255
    train(m, xtr, ytr, nhwc)
    export(m, torch.zeros(1, 28, 28, 1), "cnn-nhwc-pixels-softmax.onnx", 13)
    models["cnn-nhwc-pixels-softmax.onnx"] = m
    results["cnn-nhwc-pixels-softmax.onnx"] = {"data": "mnist", "layout": "nhwc", "scale": 255, "output": "probabilities", "accuracy": accuracy(m, xte, yte, nhwc)}

    m = NchwPixels(); pixels = lambda x: x * 255
    train(m, xtr, ytr, pixels)
    export(m, torch.zeros(2, 1, 28, 28), "cnn-nchw-pixels.onnx", 11)
    models["cnn-nchw-pixels.onnx"] = m
    results["cnn-nchw-pixels.onnx"] = {"data": "mnist", "layout": "nchw", "scale": 255, "output": "logits", "accuracy": accuracy(m, xte, yte, pixels)}

    m = FixedBatchCnn()
    train(m, xtr, ytr, unit)
    export(m, torch.zeros(1, 1, 28, 28), "cnn-opset17-batch1.onnx", 17, dynamic=False, input_name="image.in:0", output_name="class-scores/out")
    models["cnn-opset17-batch1.onnx"] = m
    results["cnn-opset17-batch1.onnx"] = {"data": "mnist", "layout": "nchw", "scale": 1, "output": "logits", "accuracy": accuracy(m, xte, yte, unit)}

    m = GapCnn(); norm = lambda x: (x - MEAN) / STD
    train(m, xtr, ytr, norm, epochs=10)
    export(m, torch.zeros(1, 1, 28, 28), "cnn-gap.onnx", 13)
    torch.jit.save(torch.jit.trace(m, torch.zeros(1, 1, 28, 28)), os.path.join(HERE, "cnn-gap.pt"))
    gap = {"data": "mnist", "layout": "nchw", "scale": 1, "mean": MEAN, "std": STD, "output": "logits", "accuracy": accuracy(m, xte, yte, norm)}
    models["cnn-gap.onnx"] = m
    results["cnn-gap.onnx"] = gap
    models["cnn-gap.pt"] = m
    results["cnn-gap.pt"] = dict(gap)

    atr, aytr, ate, ayte = adult()
    m = AdultMlp(atr.shape[1])
    train(m, atr, aytr, unit, epochs=3)
    export(m, torch.zeros(1, atr.shape[1]), "adult-mlp.onnx", 13)
    results["adult-mlp.onnx"] = {"data": "adult", "layout": "flat", "scale": 1, "output": "logits",
                                 "accuracy": accuracy(m, ate[:2000], ayte[:2000], unit)}

    # Two models for the bad-input tests: an operator the importer does not run (Elu; trained, so that the black-box
    # route it falls back to audits a working model), and an untrained one whose input of rank 3 ([N, 28, 28]) MNIST's
    # [N, 1, 28, 28] samples fit in no layout.
    class EluMlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(784, 10)

        def forward(self, x):
            return F.elu(self.fc(x.flatten(1)))

    class RankThree(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(784, 10)

        def forward(self, x):
            return self.fc(x.reshape(x.shape[0], 784))

    m = EluMlp()
    train(m, xtr, ytr, unit, epochs=2)
    export(m, torch.zeros(1, 1, 28, 28), "bad-unsupported-elu.onnx", 13)
    export(RankThree().eval(), torch.zeros(1, 28, 28), "bad-input-rank3.onnx", 13)

    # The first 2,000 MNIST test images too, what the quick importer tests run on.
    prepare = {"mlp-flat.onnx": flat, "cnn-nhwc-pixels-softmax.onnx": nhwc, "cnn-nchw-pixels.onnx": pixels, "cnn-opset17-batch1.onnx": unit}
    for name, r in results.items():
        if r["data"] == "mnist":
            model = models[name]
            r["accuracy_first2000"] = accuracy(model, xte[:2000], yte[:2000], prepare.get(name, norm))
        print(name, r["accuracy"])
    with open(os.path.join(HERE, "models.json"), "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
