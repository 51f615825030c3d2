// The deep-training playbook (docs/guide.md), one sub-command per section:
//
//   dotnet run -c Release --project examples/Playbook -- <section>|all [--data digits|fashion-mnist] [--small]
//
// Each section lives in Sections/ as a static method; the tests run every one of them on small data.
using System.Diagnostics;
using Playbook;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Playbook <section>|all [--data digits|fashion-mnist] [--small]");
    foreach (var (name, description, _) in Catalog.Sections) Console.WriteLine($"  {name,-15} {description}");
    return args.Length == 0 ? 2 : 0;
}
string data = "digits";
bool small = false;
for (int i = 1; i < args.Length; i++)
{
    if (args[i] == "--small") small = true;
    else if (args[i] == "--data" && i + 1 < args.Length) data = args[++i];
    else { Console.Error.WriteLine($"error: unknown option '{args[i]}' (valid: --data NAME, --small)"); return 2; }
}
var chosen = args[0] == "all" ? Catalog.Sections : Catalog.Sections.Where(s => s.Name == args[0]).ToList();
if (chosen.Count == 0)
{
    Console.Error.WriteLine($"error: unknown section '{args[0]}'; valid: all, {string.Join(", ", Catalog.Sections.Select(s => s.Name))}");
    return 2;
}
var options = new PlaybookOptions { Data = data, Small = small };
foreach (var (name, _, run) in chosen)
{
    var clock = Stopwatch.StartNew();
    run(options);
    Console.WriteLine($"({name}: {clock.Elapsed.TotalSeconds:F1} s)");
    Console.WriteLine();
}
return 0;
