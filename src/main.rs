#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    notarium::cli::run()
}
