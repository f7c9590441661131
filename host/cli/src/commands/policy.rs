//! `weir policy select`: choose a tag as Flux's ImagePolicy would.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use weir_plugin_host::tag_policy::{Candidate, Order, PolicyRequest, Selection, TagFilter, TagPolicyPlugin};
use weir_plugin_host::types::{Error, ErrorCode};

use crate::plugins::PluginOptions;

/// The tenant CLI calls run as: the built-in defaults.
const CLI_TENANT: &str = "default";

#[derive(clap::Subcommand)]
pub enum PolicyCommand {
    /// Print the tag the policy selects from TAG... (or from stdin, one per line).
    Select(SelectArgs),
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("policy").required(true)))]
pub struct SelectArgs {
    /// A semver range in Masterminds syntax (e.g. '^1.2', '>=1.0.0 <2.0.0', '1.2 - 1.4').
    #[arg(long, group = "policy", value_name = "RANGE")]
    semver: Option<String>,
    /// Alphabetical order; asc selects the greatest.
    #[arg(long, group = "policy", value_name = "ORDER")]
    alphabetical: Option<OrderArg>,
    /// Numerical order; asc selects the greatest.
    #[arg(long, group = "policy", value_name = "ORDER")]
    numerical: Option<OrderArg>,
    /// A Flux v1 expression: 'semver:RANGE', 'regex:RE' or 'glob:PATTERN'.
    #[arg(long, group = "policy", value_name = "EXPR")]
    expr: Option<String>,
    /// filterTags.pattern: keep only tags matching this regular expression (RE2 syntax).
    #[arg(long, value_name = "RE")]
    pattern: Option<String>,
    /// filterTags.extract: compare this template ($name, ${name}) of the pattern's groups instead of the tag.
    #[arg(long, value_name = "TPL", requires = "pattern")]
    extract: Option<String>,
    /// Tags to choose from; read from stdin when none are given.
    #[arg(value_name = "TAG")]
    tags: Vec<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OrderArg {
    Asc,
    Desc,
}

impl From<OrderArg> for Order {
    fn from(order: OrderArg) -> Self {
        match order {
            OrderArg::Asc => Order::Asc,
            OrderArg::Desc => Order::Desc,
        }
    }
}

impl PolicyCommand {
    pub async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        match self {
            PolicyCommand::Select(args) => select(args, plugins).await,
        }
    }
}

async fn select(args: SelectArgs, plugins: &PluginOptions) -> anyhow::Result<()> {
    let tags = if args.tags.is_empty() { read_stdin_tags()? } else { args.tags };
    let selection = if let Some(range) = args.semver {
        Selection::Semver(range)
    } else if let Some(order) = args.alphabetical {
        Selection::Alphabetical(order.into())
    } else if let Some(order) = args.numerical {
        Selection::Numerical(order.into())
    } else if let Some(expression) = args.expr {
        Selection::Expression(expression)
    } else {
        bail!("one of --semver, --alphabetical, --numerical or --expr is required")
    };
    let request = PolicyRequest {
        candidates: tags.into_iter().map(|tag| Candidate { tag, created: None }).collect(),
        selection,
        filter: args.pattern.map(|pattern| TagFilter { pattern, extract: args.extract }),
    };
    let (runtime, plugin) = plugins.load("tag-policy")?;
    let policy = TagPolicyPlugin::new(runtime, plugin)?;
    match policy.select(CLI_TENANT, &request).await? {
        Ok(tag) => {
            println!("{tag}");
            Ok(())
        }
        Err(err) => bail!("{}", describe(err)),
    }
}

fn read_stdin_tags() -> anyhow::Result<Vec<String>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        bail!("no tags given: pass them as arguments or on stdin, one per line");
    }
    let mut tags = Vec::new();
    for line in stdin.lock().lines() {
        let line = line.context("reading tags from stdin")?;
        let tag = line.trim();
        if !tag.is_empty() {
            tags.push(tag.to_owned());
        }
    }
    Ok(tags)
}

/// The policy's error in the flags' terms: the plugin names request fields
/// (`selection`, `filter.pattern`), the user typed `--semver`, `--pattern`…
fn describe(error: Error) -> String {
    let kind = match (error.code, error.path.as_deref()) {
        (ErrorCode::NoMatch, _) => "no tag selected",
        (_, Some(path)) if path.starts_with("filter") => "invalid filterTags",
        (ErrorCode::InvalidInput, Some("selection")) => "invalid policy",
        _ => "tag policy failed",
    };
    format!("{kind}: {error}")
}
