global using Tensor = DeepTrain.Tensors.Tensor;
