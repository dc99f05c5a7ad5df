// A window with one line of text: the least a Tauri 2 app draws.
fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("minimal-window: {error}");
        std::process::exit(1);
    }
}
