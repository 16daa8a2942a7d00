#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    notarium::private_files::restrict_new_files();
    notarium::cli::run()
}
