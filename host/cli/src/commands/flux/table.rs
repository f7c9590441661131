//! The tables of `weir get`, byte for byte as flux prints them: olekukonko/tablewriter v0.0.5
//! set up as flux's `printers.TablePrinter` sets it (no borders, no white space, `\t` between
//! cells, everything left-aligned, headers upper-cased).

/// The table: every cell padded to its column's width and followed by a tab; the header's last
/// cell is followed by a space instead. A cell of several lines makes its row that many lines
/// high, shorter cells filled with two spaces, as tablewriter fills them. No header, no header
/// line (`--no-header`).
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0; columns];
    let mut measure = |column: usize, cell: &str| {
        for line in cell.split('\n') {
            widths[column] = widths[column].max(width(line));
        }
    };
    for (column, cell) in header.iter().enumerate() {
        measure(column, cell);
    }
    for row in rows {
        for (column, cell) in row.iter().enumerate() {
            measure(column, cell);
        }
    }
    let mut out = String::new();
    if !header.is_empty() {
        for (column, cell) in header.iter().enumerate() {
            out.push_str(&pad_right(&cell.to_uppercase(), widths[column]));
            out.push(if column + 1 == columns { ' ' } else { '\t' });
        }
        out.push('\n');
    }
    for row in rows {
        let lines: Vec<Vec<&str>> = row.iter().map(|cell| cell.split('\n').collect()).collect();
        let height = lines.iter().map(Vec::len).max().unwrap_or(0);
        for line in 0..height {
            for (column, cell) in lines.iter().enumerate() {
                out.push_str(&pad_right(cell.get(line).copied().unwrap_or("  "), widths[column]));
                out.push('\t');
            }
            out.push('\n');
        }
    }
    out
}

/// How many columns a terminal gives the text: one per character (tablewriter counts East
/// Asian wide characters twice; Flux's names, revisions and messages do not have them).
fn width(text: &str) -> usize {
    text.chars().count()
}

fn pad_right(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(self::width(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|cell| (*cell).to_owned()).collect()
    }

    const HEADER: [&str; 5] = ["Name", "Revision", "Suspended", "Ready", "Message"];

    #[test]
    fn prints_what_flux_prints() {
        // flux2 cmd/flux/testdata/get/get_status_ready_not_true.golden
        let table = render(
            &HEADER,
            &[
                row(&["gr-failed", "", "False", "False", "failed to checkout and determine revision"]),
                row(&["gr-unknown", "", "False", "Unknown", "reconciliation in progress"]),
            ],
        );
        assert_eq!(
            table,
            "NAME      \tREVISION\tSUSPENDED\tREADY  \tMESSAGE                                   \n\
             gr-failed \t        \tFalse    \tFalse  \tfailed to checkout and determine revision\t\n\
             gr-unknown\t        \tFalse    \tUnknown\treconciliation in progress               \t\n"
        );
        // flux2 cmd/flux/testdata/helmrelease/get_helmrelease_from_git.golden
        let message = "Helm install succeeded for release thrfg-1/thrfg.v1 with chart podinfo@6.3.5";
        let table = render(&HEADER, &[row(&["thrfg", "6.3.5", "False", "True", message])]);
        assert_eq!(
            table,
            format!(
                "NAME \tREVISION\tSUSPENDED\tREADY\tMESSAGE{} \nthrfg\t6.3.5   \tFalse    \tTrue \t{message}\t\n",
                " ".repeat(message.len() - "MESSAGE".len())
            )
        );
    }

    #[test]
    fn multi_line_cells_and_no_header() {
        let table = render(&[], &[row(&["a", "one\ntwo"]), row(&["bcd", "x"])]);
        assert_eq!(table, "a  \tone\t\n   \ttwo\t\nbcd\tx  \t\n");
    }
}
