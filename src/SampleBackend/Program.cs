await SampleBackend.SampleBackendApp.Build(args).RunAsync();
