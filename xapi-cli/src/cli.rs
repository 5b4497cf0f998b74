//! The command line: built-in subcommands from clap's derive, plus one subcommand per OpenAPI
//! tag with one subcommand per operation (`xapi some-tag get-thing`), built from the catalog.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use xapi_client::catalog::{self, Operation};

use crate::document::kebab_case;
use crate::output::Format;

/// `xapi --version`: the crate version and the document the binary was built from.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (XAPI document ",
    env!("XAPI_CLI_SPEC_LABEL"),
    ", sha256 ",
    env!("XAPI_CLI_SPEC_SHA256"),
    ")"
);

const AFTER_HELP: &str = "\
Every OpenAPI tag is also a subcommand with one subcommand per operation, both in kebab case:
`xapi some-tag get-thing Id=1` is the same as `xapi call GetThing Id=1`.
`xapi ops` lists the operations with their tags and `xapi describe OPERATION_ID` shows one.

Exit status: 0 success, 1 local file error, 2 invalid usage or arguments, 3 authentication
failed, 4 the PBX answered with an error, 5 the PBX could not be reached or timed out.";

/// Command line of `xapi`.
#[derive(Debug, Parser)]
#[command(
    name = "xapi",
    version,
    long_version = LONG_VERSION,
    about = "Calls the 3CX XAPI (the OData configuration API of 3CX V20 PBXs)",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand accepts.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection and output options (any subcommand)")]
pub struct GlobalOptions {
    /// Base URL of the PBX, e.g. https://pbx.example.com (/xapi/v1 is added)
    #[arg(long, env = "XAPI_PBX", global = true, value_name = "URL")]
    pub pbx: Option<String>,

    /// Client id of the API entry (3CX Admin Console > Integrations > API)
    #[arg(long, env = "XAPI_CLIENT_ID", global = true, value_name = "ID")]
    pub client_id: Option<String>,

    /// Secret (API key) of the API entry. Prefer XAPI_CLIENT_SECRET or the config file:
    /// other users of the machine can read command lines
    #[arg(
        long,
        env = "XAPI_CLIENT_SECRET",
        hide_env_values = true,
        global = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,

    /// TOML file with pbx, client_id and client_secret, readable only by you [default:
    /// $XDG_CONFIG_HOME/xapi/config.toml or ~/.config/xapi/config.toml]
    #[arg(long, env = crate::config::CONFIG_ENV, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Output format [default: json for replies (pretty on a terminal), ndjson with --all,
    /// table for `ops`, text for `describe`]
    #[arg(long, value_enum, global = true, value_name = "FORMAT")]
    pub output_format: Option<Format>,

    /// Writes the output, or a downloaded file, to FILE instead of standard output ("-" is
    /// standard output). Downloads default to the file name the PBX sends
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Prints the method, URL, status and duration of each request on stderr
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,

    /// Runs the command against a throwaway mock PBX started inside this process, serving the
    /// XAPI document this binary was built from
    #[arg(long, global = true)]
    pub mock: bool,

    /// Rows in each entity set of the --mock PBX
    #[arg(long, global = true, value_name = "N", default_value_t = 25)]
    pub mock_rows: u64,

    /// Time allowed for each request, including its reply body, in seconds
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
}

/// The built-in subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Calls an operation by its operationId (case-insensitive)
    Call(CallCommand),
    /// Lists the operations, optionally only those of one tag or matching a word
    Ops(OpsCommand),
    /// Shows an operation's parameters with their types, its body and its response
    Describe(DescribeCommand),
    /// Prints the JSON Schema (draft 2020-12) of a type of the XAPI document; without TYPE,
    /// lists the type names
    Schema(SchemaCommand),
    /// Runs a mock PBX on 127.0.0.1 in the foreground and prints the XAPI_* settings that
    /// point at it; stops on Ctrl-C
    Mock(MockCommand),
    /// Prints a shell completion script
    Completions(CompletionsCommand),
}

#[derive(Debug, Args)]
pub struct CallCommand {
    /// The operation's operationId, e.g. as `xapi ops` lists it
    #[arg(value_name = "OPERATION_ID")]
    pub operation_id: String,

    #[command(flatten)]
    pub call: CallOptions,
}

/// Arguments of one call, shared by `xapi call` and the per-tag subcommands.
#[derive(Debug, Clone, Args)]
pub struct CallOptions {
    /// Parameters as NAME=VALUE (names as in the document, any case; null for a nullable
    /// parameter)
    #[arg(value_name = "NAME=VALUE")]
    pub arguments: Vec<String>,

    /// Request body: JSON text, @FILE to read it from a file, or @- for standard input
    #[arg(long, value_name = "JSON|@FILE")]
    pub body: Option<String>,

    /// Sends --body without checking it against the operation's body schema first (for
    /// properties the PBX accepts but the document this binary was built from lacks)
    #[arg(long)]
    pub no_body_check: bool,

    #[command(flatten)]
    pub query: QueryOptions,

    /// Fetches every page of a collection with $top/$skip and writes each item as it arrives
    /// (--top then limits the total number of items)
    #[arg(long)]
    pub all: bool,

    /// Items per request with --all
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub page_size: u64,
}

/// OData system query options.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "OData query options")]
pub struct QueryOptions {
    /// Sets $top: the maximum number of items in the reply
    #[arg(long, value_name = "N")]
    pub top: Option<u64>,

    /// Sets $skip: the number of items to leave out from the start
    #[arg(long, value_name = "N")]
    pub skip: Option<u64>,

    /// Sets $filter: an OData expression, e.g. "Name eq 'x'"
    #[arg(long, value_name = "EXPRESSION")]
    pub filter: Option<String>,

    /// Sets $search: free text the PBX matches against the items
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,

    /// Sets $count=true: the reply includes the number of matching items as @odata.count
    #[arg(long)]
    pub count: bool,

    /// Sets $orderby: comma-separated properties, each optionally followed by " desc"
    #[arg(long, value_name = "PROPERTY [desc],...")]
    pub orderby: Option<String>,

    /// Sets $select: comma-separated properties to return (also the CSV and table columns)
    #[arg(long, value_name = "PROPERTY,...")]
    pub select: Option<String>,

    /// Sets $expand: comma-separated navigation properties to include
    #[arg(long, value_name = "PROPERTY,...")]
    pub expand: Option<String>,
}

#[derive(Debug, Args)]
pub struct OpsCommand {
    /// Lists only the operations of this tag (as in the document or in kebab case)
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,

    /// Lists only the operations whose id, path or tag contains WORD (case-insensitive)
    #[arg(long, value_name = "WORD")]
    pub search: Option<String>,
}

#[derive(Debug, Args)]
pub struct DescribeCommand {
    /// The operation's operationId (case-insensitive)
    #[arg(value_name = "OPERATION_ID")]
    pub operation_id: String,
}

#[derive(Debug, Args)]
pub struct SchemaCommand {
    /// A component schema name as `xapi schema` lists them; the part after the last dot is
    /// enough when it is unique
    #[arg(value_name = "TYPE")]
    pub type_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct MockCommand {
    /// OpenAPI document to serve, YAML or JSON [default: the document this binary was built
    /// from]
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,

    /// Rows in each entity set
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub rows: u64,

    /// Port on 127.0.0.1; 0 picks a free one
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,

    /// Seed of the generated data
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,

    /// Token requests the mock accepts per rolling minute before responding 429; 0 removes
    /// the limit
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub token_requests_per_minute: u32,
}

#[derive(Debug, Args)]
pub struct CompletionsCommand {
    /// The shell to print the script for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The parsed request of a command line.
pub enum Invocation {
    /// A built-in subcommand.
    Builtin(Command),
    /// A per-tag operation subcommand: the same as `xapi call`.
    Operation(&'static Operation, CallOptions),
}

/// Builds the full command: the built-in subcommands and one per tag.
///
/// With `show_tags` false the tag subcommands are left out of `--help` (there are over a
/// hundred); completion scripts include them.
pub fn command(show_tags: bool) -> clap::Command {
    let mut command = Cli::command();
    let mut reserved_names: HashSet<String> = command
        .get_subcommands()
        .map(|subcommand| subcommand.get_name().to_owned())
        .collect();
    reserved_names.insert("help".to_owned());

    for (name, (tag, operations)) in operations_by_tag() {
        // A tag spelled like a built-in subcommand is reachable only through `xapi call`.
        if !reserved_names.insert(name.clone()) {
            continue;
        }
        let mut tag_command = clap::Command::new(name)
            .about(format!(
                "Operations of the tag {tag} (each the same as `xapi call OPERATION_ID`)"
            ))
            .subcommand_required(true)
            .arg_required_else_help(true)
            .hide(!show_tags);
        let mut seen = HashSet::new();
        for operation in operations {
            let name = kebab_case(operation.operation_id);
            if seen.insert(name.clone()) {
                tag_command = tag_command.subcommand(operation_command(name, operation));
            }
        }
        command = command.subcommand(tag_command);
    }
    command
}

/// Operations grouped by the kebab-case name of their tag.
fn operations_by_tag() -> BTreeMap<String, (&'static str, Vec<&'static Operation>)> {
    let mut groups: BTreeMap<String, (&'static str, Vec<&'static Operation>)> = BTreeMap::new();
    for operation in catalog::operations() {
        let entry = groups
            .entry(kebab_case(operation.tag))
            .or_insert_with(|| (operation.tag, Vec::new()));
        entry.1.push(operation);
    }
    for (_, operations) in groups.values_mut() {
        operations.sort_by_key(|operation| operation.operation_id);
    }
    groups
}

/// Builds the subcommand of one operation: the `call` options, with the ones the operation
/// does not take hidden (they are still rejected with a message when given).
fn operation_command(name: String, operation: &'static Operation) -> clap::Command {
    let mut command = CallOptions::augment_args(clap::Command::new(name))
        .about(format!(
            "{} {} {}",
            operation.operation_id, operation.method, operation.path
        ))
        .long_about(crate::arguments::expectations(operation));
    for (option, id) in [
        ("$top", "top"),
        ("$skip", "skip"),
        ("$filter", "filter"),
        ("$search", "search"),
        ("$count", "count"),
        ("$orderby", "orderby"),
        ("$select", "select"),
        ("$expand", "expand"),
    ] {
        if !operation.query_options.contains(&option) {
            command = command.mut_arg(id, |argument| argument.hide(true));
        }
    }
    if !is_pageable(operation) {
        command = command
            .mut_arg("all", |argument| argument.hide(true))
            .mut_arg("page_size", |argument| argument.hide(true));
    }
    if !operation.has_body {
        command = command
            .mut_arg("body", |argument| argument.hide(true))
            .mut_arg("no_body_check", |argument| argument.hide(true));
    }
    if operation.parameters.is_empty() {
        command = command.mut_arg("arguments", |argument| argument.hide(true));
    }
    command
}

/// Tells whether `--all` can page the operation, which needs `$top` and `$skip`.
pub fn is_pageable(operation: &Operation) -> bool {
    operation.query_options.contains(&"$top") && operation.query_options.contains(&"$skip")
}

/// Reads the parsed command line.
pub fn invocation(matches: &ArgMatches) -> Result<(GlobalOptions, Invocation), clap::Error> {
    let global = GlobalOptions::from_arg_matches(matches)?;
    if let Some((tag_name, tag_matches)) = matches.subcommand() {
        let builtin = Cli::command().find_subcommand(tag_name).is_some();
        let tag = match builtin {
            true => None,
            false => operations_by_tag().remove(tag_name),
        };
        if let Some((_, operations)) = tag {
            let (operation_name, operation_matches) = tag_matches
                .subcommand()
                .expect("clap requires an operation subcommand");
            let operation = operations
                .into_iter()
                .find(|operation| kebab_case(operation.operation_id) == operation_name)
                .expect("clap matched a subcommand built from these operations");
            let options = CallOptions::from_arg_matches(operation_matches)?;
            return Ok((global, Invocation::Operation(operation, options)));
        }
    }
    let cli = Cli::from_arg_matches(matches)?;
    Ok((cli.global, Invocation::Builtin(cli.command)))
}
