namespace DeepTrain.Cli.Plots;

/// <summary>
/// Writes small grey images (filters, inputs, reconstructions) as one PNG grid, rendered with ScottPlot: each image
/// is a row-major array of height × width values in [0, 1] (0 black, 1 white; values outside are clamped).
/// </summary>
public static class ImageGrid
{
    /// <summary>Saves <paramref name="images"/> to <paramref name="path"/> as a grid of <paramref name="columns"/> columns.</summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="images">The images, each <paramref name="width"/> × <paramref name="height"/> values.</param>
    /// <param name="width">The width of one image in pixels of data (28 for MNIST).</param>
    /// <param name="height">The height of one image (28 for MNIST).</param>
    /// <param name="columns">Images per row of the grid, ≥ 1 (a row of inputs over a row of reconstructions: columns = the count).</param>
    /// <param name="scale">Screen pixels per data pixel, ≥ 1.</param>
    /// <param name="title">An optional title above the grid.</param>
    /// <exception cref="ArgumentException">There are no images, an image has the wrong size, or an argument is out of range.</exception>
    public static void SavePng(string path, IReadOnlyList<float[]> images, int width = 28, int height = 28, int columns = 10, int scale = 3, string? title = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("there are no images to draw");
        if (width < 1 || height < 1) throw new ArgumentException($"image width and height must be >= 1: got {width} × {height}");
        if (columns < 1) throw new ArgumentException($"columns must be >= 1: got {columns}");
        if (scale < 1) throw new ArgumentException($"scale must be >= 1: got {scale}");
        for (int k = 0; k < images.Count; k++)
            if (images[k] is null || images[k].Length != width * height)
                throw new ArgumentException($"image {k} has {images[k]?.Length ?? 0} values, not {width} × {height} = {width * height}");

        const int gap = 1;
        int cols = Math.Min(columns, images.Count), rows = (images.Count + cols - 1) / cols;
        int gridH = rows * (height + gap) + gap, gridW = cols * (width + gap) + gap;
        var cells = new double[gridH, gridW];
        for (int r = 0; r < gridH; r++)
            for (int c = 0; c < gridW; c++) cells[r, c] = double.NaN; // the separators
        for (int k = 0; k < images.Count; k++)
        {
            int top = gap + (k / cols) * (height + gap), left = gap + (k % cols) * (width + gap);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) cells[top + y, left + x] = Math.Clamp(images[k][y * width + x], 0f, 1f);
        }

        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.NaNCellColor = ScottPlot.Color.FromHex("#3060A0");
        plot.HideGrid();
        plot.Axes.Frameless();
        int titleSpace = 0;
        if (title is not null)
        {
            plot.Title(title);
            titleSpace = 30;
            plot.Axes.Top.MinimumSize = titleSpace;
        }
        plot.Axes.Margins(0, 0);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        Charts.Save(plot, path, gridW * scale, gridH * scale + titleSpace);
    }
}
