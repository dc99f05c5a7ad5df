// `sqlx::migrate!` embeds the migrations at compile time: a new or changed file must rebuild the
// crate (sqlx's own advice), or the binary would carry the old list.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
