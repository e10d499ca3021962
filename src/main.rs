use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = lianxin::cli::Cli::parse();
    lianxin::cli::init_tracing();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(lianxin::cli::run(cli))
}
