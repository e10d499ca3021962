//! The migrations are embedded in the binary at compile time; a new or changed one must
//! rebuild it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
