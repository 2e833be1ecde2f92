// The gateway's per-request pieces one at a time, with BenchmarkDotNet and its memory diagnoser:
// token validation at first sight and seen before, a delegation cache hit, the identity headers,
// SigV4 signing, the caller's assertion (reused, and signed per request). Run: dotnet run -c Release --project bench/Micro -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(WamsGateway.Micro.TokenValidation).Assembly).Run(args);
