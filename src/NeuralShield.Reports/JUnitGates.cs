using System.Globalization;
using System.Xml.Linq;

namespace NeuralShield.Reports;

/// <summary>
/// The gates of an audit as JUnit XML (the format CI systems show as test results): one test suite, one test case per
/// gate, a failure element with the gate's detail for each missed gate.
/// </summary>
public static class JUnitGates
{
    /// <summary>The JUnit XML document of <paramref name="gates"/> (an empty suite when there are none).</summary>
    public static string Render(IReadOnlyList<GateResult> gates, string suiteName = "neuralshield audit gates")
    {
        ArgumentNullException.ThrowIfNull(gates);
        var failures = gates.Count(g => !g.Passed);
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", gates.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            gates.Select(g => new XElement("testcase",
                new XAttribute("classname", "neuralshield.gates"),
                new XAttribute("name", g.Gate.ToString()),
                g.Passed ? null : new XElement("failure", new XAttribute("message", g.Detail), new XAttribute("type", "GateMissed"),
                    g.Value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "no value"),
                new XElement("system-out", g.Detail))));
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites", new XAttribute("name", suiteName), new XAttribute("tests", gates.Count), new XAttribute("failures", failures), suite));
        return document.Declaration + Environment.NewLine + document.ToString();
    }
}
