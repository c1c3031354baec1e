//! Turns a results file (and criterion's estimates for the proto-level floor) into the
//! markdown tables of BENCHMARKS.md: medians over runs, ours against twilight.

use crate::client::{Case, Library, Path};
use crate::compress::Compression;
use crate::suite::Record;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path as FsPath;

/// The median of `values` (the mean of the middle two for an even count); NaN when empty.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Reads every record of a results file; lines that do not parse are skipped.
pub fn read(path: &FsPath) -> std::io::Result<Vec<Record>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}

/// One proto-level criterion estimate: events per second through a stage.
#[derive(Clone, Debug)]
pub struct Floor {
    /// Compression name.
    pub compression: String,
    /// Stage (`inflate`, `inflate+envelope`, `machine`, …).
    pub stage: String,
    /// Events per second (the median estimate of one pass over the corpus).
    pub events_per_sec: f64,
    /// JSON bytes per second.
    pub bytes_per_sec: f64,
}

/// Reads the proto bench's estimates from criterion's output directory (its groups are named
/// `proto-<compression>`; one iteration is one pass over [`crate::proto_corpus`]).
pub fn read_floors(criterion_dir: &FsPath) -> Vec<Floor> {
    let corpus = crate::proto_corpus();
    let events = corpus.len() as f64;
    let bytes = corpus.iter().map(String::len).sum::<usize>() as f64;
    let mut floors = Vec::new();
    for compression in Compression::ALL {
        let group = criterion_dir.join(format!("proto-{}", compression.name()));
        let Ok(entries) = std::fs::read_dir(&group) else {
            continue;
        };
        let mut stages: Vec<_> = entries.flatten().collect();
        stages.sort_by_key(|e| e.file_name());
        for entry in stages {
            let estimates = entry.path().join("new").join("estimates.json");
            let Ok(text) = std::fs::read_to_string(&estimates) else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            let Some(ns) = value["median"]["point_estimate"].as_f64() else {
                continue;
            };
            let secs = ns * 1e-9;
            floors.push(Floor {
                compression: compression.name().to_owned(),
                stage: entry.file_name().to_string_lossy().into_owned(),
                events_per_sec: events / secs,
                bytes_per_sec: bytes / secs,
            });
        }
    }
    floors
}

fn thousands(value: f64) -> String {
    if value.is_nan() {
        return "–".to_owned();
    }
    format!("{:.0}k", value / 1000.0)
}

fn ratio(ours: f64, twilight: f64) -> String {
    if ours.is_nan() || twilight.is_nan() {
        "–".to_owned()
    } else {
        format!("{:.2}×", ours / twilight)
    }
}

/// The throughput table: median events per CPU-second per (compression, path, library).
pub fn throughput_table(records: &[Record], floors: &[Floor]) -> String {
    let mut samples: BTreeMap<(String, Path, Library), Vec<f64>> = BTreeMap::new();
    let mut walls: BTreeMap<(String, Path, Library), Vec<f64>> = BTreeMap::new();
    let mut notes = BTreeMap::new();
    for record in records {
        if let Record::Throughput(r) = record {
            let key = (r.compression.clone(), r.path, r.library);
            samples
                .entry(key.clone())
                .or_default()
                .push(r.events_per_cpu_sec());
            walls
                .entry(key)
                .or_default()
                .push(r.events as f64 / r.wall_secs);
            if let Some(note) = &r.note {
                notes.insert((r.path, r.library), note.clone());
            }
        }
    }
    let get = |map: &mut BTreeMap<(String, Path, Library), Vec<f64>>, c: &str, p, l| {
        map.get_mut(&(c.to_owned(), p, l))
            .map_or(f64::NAN, |v| median(v))
    };
    let mut out = String::new();
    out.push_str(
        "| compression | path | twilight events/CPU-s | ours events/CPU-s | ours ÷ twilight | \
         runs | ours wall events/s | ours floor ÷ ours |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for compression in Compression::ALL {
        let c = compression.name();
        for path in [Path::Typed, Path::Raw] {
            let twilight = get(&mut samples, c, path, Library::Twilight);
            let ours = get(&mut samples, c, path, Library::Ours);
            let wall = get(&mut walls, c, path, Library::Ours);
            let runs = samples
                .get(&(c.to_owned(), path, Library::Ours))
                .map_or(0, Vec::len)
                .min(
                    samples
                        .get(&(c.to_owned(), path, Library::Twilight))
                        .map_or(0, Vec::len),
                );
            // The floor of the raw path is decompression alone (text: the envelope scan).
            let floor_stage = if compression == Compression::None {
                "envelope"
            } else {
                "inflate"
            };
            let floor = floors
                .iter()
                .find(|f| f.compression == c && f.stage == floor_stage)
                .map_or(f64::NAN, |f| f.events_per_sec);
            let floor_ratio = if path == Path::Raw && !floor.is_nan() && !ours.is_nan() {
                format!("{:.2}×", floor / ours)
            } else {
                "–".to_owned()
            };
            let _ = writeln!(
                out,
                "| {compression} | {path} | {} | {} | {} | {runs} | {} | {floor_ratio} |",
                thousands(twilight),
                thousands(ours),
                ratio(ours, twilight),
                thousands(wall),
            );
        }
    }
    for ((path, library), note) in notes {
        let _ = writeln!(out, "\n{library} {path}: {note}");
    }
    out
}

/// The memory table: median KiB per shard (RSS, and live heap) per (compression, case,
/// shards, library).
pub fn memory_table(records: &[Record]) -> String {
    type Key = (String, Case, u32, Library);
    let mut rss: BTreeMap<Key, Vec<f64>> = BTreeMap::new();
    let mut heap: BTreeMap<Key, Vec<f64>> = BTreeMap::new();
    for record in records {
        if let Record::Memory(r) = record {
            let key = (r.compression.clone(), r.case, r.shards, r.library);
            rss.entry(key.clone())
                .or_default()
                .push(r.rss_per_shard() / 1024.0);
            heap.entry(key)
                .or_default()
                .push(r.heap_per_shard() / 1024.0);
        }
    }
    let mut shard_counts: Vec<u32> = rss.keys().map(|k| k.2).collect();
    shard_counts.sort_unstable();
    shard_counts.dedup();
    let get = |map: &mut BTreeMap<Key, Vec<f64>>, c: &str, case, shards, library| {
        map.get_mut(&(c.to_owned(), case, shards, library))
            .map_or(f64::NAN, |v| median(v))
    };
    let kib = |v: f64| {
        if v.is_nan() {
            "–".to_owned()
        } else {
            format!("{v:.1}")
        }
    };
    let mut out = String::new();
    out.push_str(
        "| compression | case | shards | twilight KiB/shard (RSS) | ours KiB/shard (RSS) | \
         ours ÷ twilight | twilight heap KiB/shard | ours heap KiB/shard | heap ours ÷ twilight |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for compression in Compression::ALL {
        let c = compression.name();
        for case in [Case::Idle, Case::Burst] {
            for &shards in &shard_counts {
                let t_rss = get(&mut rss, c, case, shards, Library::Twilight);
                let o_rss = get(&mut rss, c, case, shards, Library::Ours);
                let t_heap = get(&mut heap, c, case, shards, Library::Twilight);
                let o_heap = get(&mut heap, c, case, shards, Library::Ours);
                if [t_rss, o_rss].iter().all(|v| v.is_nan()) {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "| {compression} | {case} | {shards} | {} | {} | {} | {} | {} | {} |",
                    kib(t_rss),
                    kib(o_rss),
                    ratio(o_rss, t_rss),
                    kib(t_heap),
                    kib(o_heap),
                    ratio(o_heap, t_heap),
                );
            }
        }
    }
    out
}

/// The proto-level table: events and MB per second through each stage.
pub fn floor_table(floors: &[Floor]) -> String {
    let mut out = String::new();
    out.push_str("| compression | stage | events/s | MB/s of JSON |\n|---|---|---:|---:|\n");
    for floor in floors {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} |",
            floor.compression,
            floor.stage,
            thousands(floor.events_per_sec),
            floor.bytes_per_sec / 1e6
        );
    }
    out
}

/// Load averages seen between runs: minimum, median and maximum of the 1-minute figure.
pub fn load_summary(records: &[Record]) -> String {
    let mut loads: Vec<f64> = records
        .iter()
        .filter_map(|r| match r {
            Record::Load { load, .. } => Some(load[0]),
            _ => None,
        })
        .collect();
    if loads.is_empty() {
        return "no load readings".to_owned();
    }
    let min = loads.iter().copied().fold(f64::INFINITY, f64::min);
    let max = loads.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mid = median(&mut loads);
    format!(
        "1-minute load average between runs: min {min:.2}, median {mid:.2}, max {max:.2} \
         ({} readings)",
        loads.len()
    )
}

/// Failed runs, one line each.
pub fn failures(records: &[Record]) -> String {
    let mut out = String::new();
    for record in records {
        if let Record::Failed { args, error } = record {
            let _ = writeln!(out, "- `{}`: {error}", args.join(" "));
        }
    }
    out
}

/// The whole report.
pub fn render(records: &[Record], floors: &[Floor]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Throughput (events per CPU-second of the client process)\n"
    );
    out.push_str(&throughput_table(records, floors));
    let _ = writeln!(out, "\n### Memory per shard\n");
    out.push_str(&memory_table(records));
    if !floors.is_empty() {
        let _ = writeln!(out, "\n### Proto-level floor (criterion, one core)\n");
        out.push_str(&floor_table(floors));
    }
    let _ = writeln!(out, "\n{}", load_summary(records));
    let failed = failures(records);
    if !failed.is_empty() {
        let _ = writeln!(out, "\nFailed runs:\n{failed}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
