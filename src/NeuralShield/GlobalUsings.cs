// The namespaces nearly every folder of the library speaks in: tensors, models, data, training and metrics (the
// vocabulary of Abstractions/ is the root namespace). Folder rules (tests/NeuralShield.Tests/Architecture) are checked on the compiled references, not on these.
global using System.Diagnostics;
global using System.Globalization;
global using NeuralShield.Data;
global using NeuralShield.Metrics;
global using NeuralShield.Models;
global using NeuralShield.Training;
global using TorchSharp;
global using static TorchSharp.torch;
