//! Writes progenitor's output for a document in both interface styles, after the
//! normalization passes, so that their compile times can be compared.
//!
//! ```text
//! cargo run -p xapi-codegen --example interface_cost -- DOCUMENT OUT_DIR
//! ```
//!
//! The files need a crate with a `literal` module (see `xapi-client/src/literal.rs`) and
//! progenitor-client's dependencies; they contain progenitor's code only, without the client's
//! wrappers, catalog and dispatch table.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    let (Some(document), Some(out_dir)) = (arguments.next(), arguments.next()) else {
        return Err("usage: interface_cost DOCUMENT OUT_DIR".into());
    };
    let document = xapi_spec::load(std::path::Path::new(&document))?;
    let normalized = xapi_codegen::normalize(&document.value, &xapi_codegen::Options::new())?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(normalized)?;

    for (name, style) in [
        ("positional", progenitor::InterfaceStyle::Positional),
        ("builder", progenitor::InterfaceStyle::Builder),
    ] {
        let mut settings = progenitor::GenerationSettings::default();
        settings.with_interface(style);
        for (schema, type_name) in xapi_codegen::literal::conversions("crate::literal") {
            settings.with_conversion(
                schema,
                type_name,
                [progenitor::TypeImpl::Display].into_iter(),
            );
        }
        let started = std::time::Instant::now();
        let tokens = progenitor::Generator::new(&settings).generate_tokens(&spec)?;
        let file: syn::File = syn::parse2(tokens)?;
        let code = prettyplease::unparse(&file);
        let path = std::path::Path::new(&out_dir).join(format!("{name}.rs"));
        std::fs::write(&path, &code)?;
        println!(
            "{name}: {} lines, {} bytes, generated in {:.2?}",
            code.lines().count(),
            code.len(),
            started.elapsed()
        );
    }
    Ok(())
}
