using System.CommandLine;
using NeuralShield.Cli.Audit;
using NeuralShield.Cli.Bench;
using NeuralShield.Cli.Reproduce;

NeuralShield.Runtime.NativeRuntime.Initialize();
var root = new RootCommand("neuralshield: audit neural networks against the attacks of the adversarial-ML literature, reproduce the papers' numbers, benchmark the hot loops.");
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(ReproduceCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
