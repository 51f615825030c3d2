namespace DeepTrain.Autograd;

/// <summary>
/// Whether ops record the graph. Inside a <see cref="NoGrad"/> scope no op records anything and no result
/// requires a gradient (inference, evaluation, weight updates). Per thread.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int t_disabled;

    /// <summary>True when ops record the graph on this thread.</summary>
    public static bool IsEnabled => t_disabled == 0;

    /// <summary>Turns recording off until the returned handle is disposed (scopes nest).</summary>
    public static NoGradScope NoGrad()
    {
        t_disabled++;
        return new NoGradScope();
    }

    /// <summary>Ends a <see cref="NoGrad"/> scope when disposed.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Turns recording back on (if no outer scope keeps it off).</summary>
        public void Dispose() => t_disabled--;
    }
}
