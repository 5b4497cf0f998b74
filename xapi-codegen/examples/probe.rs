fn main() {
    let p = std::env::args().nth(1).unwrap();
    let d = xapi_spec::load(std::path::Path::new(&p)).unwrap();
    let t = std::time::Instant::now();
    match xapi_codegen::generate(&d.value, &xapi_codegen::Options::new()) {
        Ok(g) => {
            std::fs::write("/tmp/gen.rs", &g.code).unwrap();
            eprintln!("{} ops, {} surface, {} lines, {:?}", g.operation_count, g.surface.len(), g.code.lines().count(), t.elapsed());
            for e in g.surface.iter().take(5) { eprintln!("{e}"); }
        }
        Err(e) => eprintln!("ERR {e}"),
    }
}
