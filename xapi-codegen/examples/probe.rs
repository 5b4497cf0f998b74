fn main() {
    let p = std::env::args().nth(1).unwrap();
    let d = xapi_spec::load(std::path::Path::new(&p)).unwrap();
    let tags = xapi_codegen::passes::operations_by_tag(&d.value);
    let names: std::collections::BTreeSet<String> =
        tags.keys().map(|t| xapi_codegen::feature_name(t)).collect();
    for n in &names {
        println!("{n} = []");
    }
    println!("full = [");
    for n in &names {
        println!("    \"{n}\",");
    }
    println!("]");
}
