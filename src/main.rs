//! Entry point. In the browser it mounts the page; natively it runs the CLI.

#[cfg(target_arch = "wasm32")]
fn main() {
    bounce_explainer::web::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    bounce_explainer::cli::main()
}
