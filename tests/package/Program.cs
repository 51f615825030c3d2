// Trains a two-layer network on a small synthetic problem (is a point inside the circle of radius 0.75?) with the
// DeepTrain package, prints its accuracy, and exports it to ONNX (which exercises the package's dependencies).
using DeepTrain.Data;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Onnx;
using DeepTrain.Optimizers;
using DeepTrain.Training;

var random = new Random(1);
Dataset Points(int n)
{
    var x = new float[n * 2];
    var y = new int[n];
    for (int i = 0; i < n; i++)
    {
        float a = (float)(random.NextDouble() * 2 - 1), b = (float)(random.NextDouble() * 2 - 1);
        x[2 * i] = a;
        x[2 * i + 1] = b;
        y[i] = a * a + b * b < 0.75f * 0.75f ? 1 : 0;
    }
    return Dataset.FromArrays(x, y, features: 2, classes: 2);
}
var train = Points(2000);
var test = Points(500);

var model = new Sequential(2, seed: 7)
{
    new Dense(32, Activation.Relu, Initializer.HeNormal, name: "hidden1"),
    new Dense(2, name: "output"),
};
model.Fit(train, null, new FitOptions
{
    Optimizer = new Adam(model.Parameters(), learningRate: 0.01f),
    Epochs = 30,
    BatchSize = 32,
    Progress = ProgressMode.None,
});
double accuracy = model.Evaluate(test).Accuracy;
byte[] onnx = OnnxExporter.ToBytes(model, new OnnxExportOptions { Softmax = true });

Console.WriteLine($"deeptrain assembly: {typeof(Sequential).Assembly.Location}");
Console.WriteLine($"onnx bytes: {onnx.Length}");
Console.WriteLine($"accuracy: {accuracy:F4}");
return accuracy >= 0.9 ? 0 : 1;
