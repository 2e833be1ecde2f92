await LocalAuthority.LocalAuthorityApp.Build(args).RunAsync();
