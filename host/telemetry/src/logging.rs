//! The operator's logs, set as Flux's controllers are: `--log-level` and `--log-encoding`.
//!
//! JSON lines carry Flux's (zap's) keys — `level` in lower case, `ts`, `logger`, `msg` — then
//! the fields of the spans the event is in (outermost first) and the event's own, so a log
//! pipeline built for Flux's controllers reads weir's unchanged.

use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// One JSON object a line, for log collectors.
    #[default]
    Json,
    /// Human-readable lines.
    Console,
}

/// The least severe level logged: Flux's `debug`, `info`, `error` (and `trace`, `warn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Level {
    Trace,
    Debug,
    #[default]
    Info,
    Warn,
    Error,
}

impl Level {
    fn directive(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// Installs the process's log subscriber, writing to stderr. `WEIR_LOG` (an `EnvFilter`
/// directive such as `weir_operator=debug`) refines `level` per module.
pub fn init(level: Level, encoding: Encoding) {
    let mut filter = EnvFilter::new(level.directive());
    if let Ok(directives) = std::env::var("WEIR_LOG") {
        for directive in directives.split(',').filter_map(|directive| directive.parse().ok()) {
            filter = filter.add_directive(directive);
        }
    }
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    match encoding {
        Encoding::Json => builder.fmt_fields(JsonFields::new()).event_format(FluxJson).init(),
        Encoding::Console => builder.init(),
    }
}

/// Events as zap's JSON encoder writes them for Flux.
struct FluxJson;

impl<S, N> FormatEvent<S, N> for FluxJson
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
    N: for<'writer> FormatFields<'writer> + 'static,
{
    fn format_event(&self, context: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let metadata = event.metadata();
        let mut line = Map::new();
        line.insert("level".into(), metadata.level().as_str().to_ascii_lowercase().into());
        line.insert("ts".into(), timestamp().into());
        line.insert("logger".into(), metadata.target().into());
        line.insert("msg".into(), Value::Null);
        if let Some(scope) = context.event_scope() {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<N>>() else { continue };
                if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(fields) {
                    line.extend(fields);
                }
            }
        }
        let mut visitor = Fields(&mut line);
        event.record(&mut visitor);
        let text = serde_json::to_string(&Value::Object(line)).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

/// RFC 3339 in UTC with milliseconds, as Flux's `ts` (zap's ISO 8601 time encoder).
fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An event's fields into the line; its message becomes `msg`.
struct Fields<'a>(&'a mut Map<String, Value>);

impl Fields<'_> {
    fn insert(&mut self, field: &Field, value: Value) {
        let key = if field.name() == "message" { "msg" } else { field.name() };
        self.0.insert(key.to_owned(), value);
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.insert(field, value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.insert(field, format!("{value:?}").into());
    }
}
