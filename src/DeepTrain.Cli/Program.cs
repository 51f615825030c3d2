using DeepTrain.Cli;

return CliApp.Run(args);
