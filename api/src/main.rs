use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// GraphQL responses are built from many small allocations; mimalloc serves them markedly
/// faster than the system allocator under concurrent load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match vigo_api::config::Cli::command()
        .try_get_matches()
        .and_then(|matches| vigo_api::config::Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(e) => {
            // A value that came from the environment is named by its variable, not by a flag
            // the user never typed.
            if let Some(message) = vigo_api::config::environment_error(&e) {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
            e.exit()
        }
    };
    vigo_api::telemetry::init(cli.log_format, cli.command.default_log_level());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(vigo_api::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
