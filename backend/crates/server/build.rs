//! Rebuild the server when the web app it embeds (frontend/dist) changes: rust-embed
//! reads the folder at compile time, but cargo cannot see that on its own.

fn main() {
    println!("cargo:rerun-if-changed=../../../frontend/dist");
}
