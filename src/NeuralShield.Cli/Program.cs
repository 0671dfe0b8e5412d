using System.CommandLine;
using NeuralShield.Cli;
using NeuralShield.Cli.Audit;
using NeuralShield.Cli.Bench;
using NeuralShield.Workloads;
using NeuralShield.Cli.Cluster;
using NeuralShield.Cli.Reproduce;

return await CliApp.RunAsync(args, Console.Out, Console.Error);

namespace NeuralShield.Cli
{
    /// <summary>The <c>neuralshield</c> command line: the root command and its invocation.</summary>
    internal static class CliApp
    {
        /// <summary>The root command with the global options and every subcommand.</summary>
        public static Command CreateRoot()
        {
            var globals = new GlobalOptions();
            // Named after the installed command (a RootCommand takes the entry assembly's name, NeuralShield.Cli, for its usage lines).
            var root = new Command("neuralshield", "neuralshield: audit neural networks against the attacks of the adversarial-ML literature, reproduce the papers' numbers, benchmark the hot loops.");
            var help = new System.CommandLine.Help.HelpOption();
            // Help wrapped to a 120-column terminal, and reproduce's experiments listed after its options.
            help.Action = new Reproduce.ExperimentListHelp(new System.CommandLine.Help.HelpAction { MaxWidth = 120 });
            root.Options.Add(help);
            root.Options.Add(new VersionOption());
            root.Options.Add(globals.Threads);
            root.Options.Add(globals.Device);
            root.Subcommands.Add(AuditCommand.Create(globals));
            root.Subcommands.Add(CompareCommand.Create(globals));
            root.Subcommands.Add(ReproduceCommand.Create(globals));
            root.Subcommands.Add(BenchCommand.Create(globals));
            root.Subcommands.Add(ClusterCommands.CreateSilo(globals));
            root.Subcommands.Add(ClusterCommands.CreateShadows(globals));
            return root;
        }

        /// <summary>
        /// Parses and runs <paramref name="args"/>. Parse errors (a bad option value, an unknown device) are one line on
        /// <paramref name="error"/> and exit code 1; the actions run behind <see cref="CommandRunner"/>.
        /// </summary>
        public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
        {
            var parse = CreateRoot().Parse(args);
            if (parse.Errors.Count > 0)
            {
                error.WriteLine("neuralshield: " + string.Join(" ", parse.Errors.Select(e => CommandRunner.OneLine(e.Message))) + " See --help.");
                return CommandRunner.UserError;
            }
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
        }
    }
}
