use clap::Parser as _;
use hallpass_server::{
    cli::{self, Cli},
    config::Settings,
    telemetry,
};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let _log_writer = telemetry::init_off_workers(cli.settings.log_format)?;
    let settings = Settings::from_args(cli.settings)?;
    cli::run(cli.command, settings).await
}
