namespace DeepTrain.Kernels;

/// <summary>The element-wise activations that have fused kernels (used alone and inside the fused Dense op).</summary>
public enum ActivationKind
{
    /// <summary>y = z.</summary>
    Identity,
    /// <summary>y = max(0, z).</summary>
    Relu,
    /// <summary>y = z for z &gt; 0, α·z otherwise.</summary>
    LeakyRelu,
    /// <summary>y = z for z &gt; 0, α·(eᶻ − 1) otherwise (Clevert et al. 2015).</summary>
    Elu,
    /// <summary>y = λ·z for z &gt; 0, λ·α·(eᶻ − 1) otherwise, with the self-normalizing constants (Klambauer et al. 2017).</summary>
    Selu,
    /// <summary>y = 1 / (1 + e⁻ᶻ).</summary>
    Sigmoid,
    /// <summary>y = tanh(z).</summary>
    Tanh,
    /// <summary>y = ln(1 + eᶻ).</summary>
    Softplus,
}
