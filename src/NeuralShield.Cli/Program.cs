using NeuralShield.Runtime;
using TorchSharp;
var s = NativeRuntime.Initialize();
Console.WriteLine(s);
var t = torch.randn(3, 3);
Console.WriteLine(t.sum().item<float>());
