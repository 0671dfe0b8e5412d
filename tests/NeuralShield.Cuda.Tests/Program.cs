using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace NeuralShield.Cuda.Tests;

/// <summary>
/// Runs this assembly's tests without the .NET SDK (the GPU machine has only a .NET runtime):
/// <c>dotnet NeuralShield.Cuda.Tests.dll [--json FILE]</c>. Every public method with a <see cref="FactAttribute"/> is
/// run on a fresh instance of its class; a skipped test is listed with its reason. Exit code 1 when a test fails.
/// <c>dotnet test</c> does not use this entry point.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var jsonIndex = Array.IndexOf(args, "--json");
        var jsonPath = jsonIndex >= 0 && jsonIndex + 1 < args.Length ? args[jsonIndex + 1] : null;
        var results = new List<Dictionary<string, object?>>();
        var tests = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => (Type: t, Method: m, Fact: m.GetCustomAttribute<FactAttribute>())))
            .Where(x => x.Fact is not null)
            .OrderBy(x => x.Type.Name, StringComparer.Ordinal).ThenBy(x => x.Method.Name, StringComparer.Ordinal);
        var failed = 0;
        foreach (var (type, method, fact) in tests)
        {
            var name = $"{type.Name}.{method.Name}";
            if (fact!.Skip is { } reason)
            {
                Console.WriteLine($"SKIP {name}: {reason}");
                results.Add(new() { ["test"] = name, ["outcome"] = "skipped", ["reason"] = reason });
                continue;
            }
            var watch = Stopwatch.StartNew();
            try
            {
                method.Invoke(Activator.CreateInstance(type), null);
                Console.WriteLine($"PASS {name} ({watch.Elapsed.TotalSeconds:F2} s)");
                results.Add(new() { ["test"] = name, ["outcome"] = "passed", ["seconds"] = watch.Elapsed.TotalSeconds });
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                failed++;
                Console.WriteLine($"FAIL {name}: {e.InnerException.Message}");
                results.Add(new() { ["test"] = name, ["outcome"] = "failed", ["message"] = e.InnerException.ToString() });
            }
        }
        Console.WriteLine($"{results.Count} tests: {results.Count(r => (string)r["outcome"]! == "passed")} passed, {failed} failed, {results.Count(r => (string)r["outcome"]! == "skipped")} skipped");
        if (jsonPath is not null) File.WriteAllText(jsonPath, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        return failed == 0 ? 0 : 1;
    }
}
