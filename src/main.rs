fn main() {
    // Development builds explain a panic in the console. The release build
    // traps instead (panic=immediate-abort) and index.html tells the user.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(marginalia_web::App);
}
