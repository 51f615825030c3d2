// System.Numerics.Tensors also declares a type named Tensor; inside the library, Tensor means ours.
global using Tensor = DeepTrain.Tensors.Tensor;
