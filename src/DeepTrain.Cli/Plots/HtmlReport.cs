using System.Net;
using System.Text;

namespace DeepTrain.Cli.Plots;

/// <summary>A small self-contained HTML page (images embedded as data URIs) with tables, findings and plots.</summary>
internal sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();

    public void Heading(string text) => _body.Append("<h2>").Append(WebUtility.HtmlEncode(text)).Append("</h2>\n");

    public void Paragraph(string text) => _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");

    public void List(IEnumerable<string> items)
    {
        _body.Append("<ul>");
        foreach (var i in items) _body.Append("<li>").Append(WebUtility.HtmlEncode(i)).Append("</li>");
        _body.Append("</ul>\n");
    }

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table><tr>");
        foreach (var h in header) _body.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        _body.Append("</tr>\n");
        foreach (var r in rows)
        {
            _body.Append("<tr>");
            foreach (var c in r) _body.Append("<td>").Append(WebUtility.HtmlEncode(c)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
    }

    public void Image(string pngPath, string caption)
    {
        var data = Convert.ToBase64String(File.ReadAllBytes(pngPath));
        _body.Append("<figure><img alt=\"").Append(WebUtility.HtmlEncode(caption)).Append("\" src=\"data:image/png;base64,").Append(data)
             .Append("\"/><figcaption>").Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>\n");
    }

    /// <summary>Writes <c>DIR/index.html</c> atomically and returns its path.</summary>
    public string Save(string dir)
    {
        Directory.CreateDirectory(dir);
        var html = $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title>\n" +
                   "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}img{max-width:900px}</style>\n" +
                   $"</head><body><h1>{WebUtility.HtmlEncode(title)}</h1>\n{_body}</body></html>\n";
        var path = Path.Combine(dir, "index.html");
        Checkpoints.AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(html)));
        return path;
    }
}
