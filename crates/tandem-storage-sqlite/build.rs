// `sqlx::migrate!` embeds the migrations at compile time; without this a new
// migration file would be silently missing from the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
