//! `sacx slurm select`: a pool split into files scored on Slurm — an array
//! task per file runs `sacx predict` into `predictions/NNNNN/` — then a job
//! submitted with `--dependency=afterok` on the array runs `sacx select` over
//! every file's predictions. Everything is checked before a script is written;
//! the jobs get explicit options, absolute paths and the resolved values.
use super::sbatch::{Job, Scheduler, Word, command_line, quote, sbatch};
use crate::cmd::predict::PredictOptions;
use crate::cmd::reading::ReadArgs;
use crate::cmd::select::SelectionArgs;
use anyhow::{Context as _, Result, bail};
use sacx_data::DocStream;
use sacx_data::layout::PoolLayout;
use sacx_data::predictions::{InputFile, MANIFEST_FILE, read_manifest};
use sacx_model::DeviceSpec;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Arguments of `sacx slurm select`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A run directory (every trained seed: the seed ensemble) or one
    /// checkpoint directory (`…/model/best`), as for `sacx predict`.
    #[arg(long, value_name = "RUN_DIR|CHECKPOINT")]
    pub model: PathBuf,
    /// The pool's files (JSON Lines with ids, or SACX TSV, gzipped or not):
    /// one array task scores each, and the selection reads them in this order.
    #[arg(long, value_name = "FILE", required = true, num_args = 1.., action = clap::ArgAction::Append)]
    pub pool: Vec<PathBuf>,
    /// Output directory: slurm/ (job scripts, logs), predictions/NNNNN/ (pool
    /// file N's predictions), to-label.jsonl and to-label.summary.json.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Run at most K array tasks at once (`--array=0-N%K`) [default: Slurm's limit].
    #[arg(long, value_name = "K")]
    pub max_running: Option<usize>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub predict: PredictOptions,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub scheduler: Scheduler,
}

/// The checked inputs: what the scripts are written from.
struct Plan {
    exe: PathBuf,
    cwd: PathBuf,
    layout: PoolLayout,
    model: PathBuf,
    pool: Vec<PathBuf>,
}

/// The three scripts.
struct Scripts {
    predict: String,
    select: String,
    submit: String,
}

pub fn run(args: &Args) -> Result<()> {
    super::super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    let plan = Plan::check(args)?;
    let scripts = Scripts {
        predict: plan.predict_script(args),
        select: plan.select_script(args)?,
        submit: plan.submit_script(),
    };
    let layout = &plan.layout;
    std::fs::create_dir_all(layout.logs())
        .with_context(|| format!("{}: cannot create the directory", layout.logs().display()))?;
    let written = [
        (layout.predict_script(), &scripts.predict),
        (layout.select_script(), &scripts.select),
        (layout.submit_script(), &scripts.submit),
    ];
    for (path, text) in &written {
        crate::atomic::write(path, text.as_bytes())?;
    }
    if !args.scheduler.submit {
        for (path, text) in &written {
            println!("# {}\n{text}", path.display());
        }
        println!("submit with:");
        println!(
            "  bash {}",
            quote(&layout.submit_script().to_string_lossy())
        );
        return Ok(());
    }
    let what = "sacx slurm select";
    let predict_job = sbatch(&layout.predict_script(), None, what)?;
    let select_job = sbatch(&layout.select_script(), Some(&predict_job), what)?;
    std::fs::write(
        layout.jobs(),
        format!("predict {predict_job}\nselect {select_job}\n"),
    )
    .with_context(|| format!("{}: cannot write", layout.jobs().display()))?;
    println!(
        "submitted: prediction array job {predict_job} ({} tasks), selection job {select_job} (after it succeeds)",
        plan.pool.len()
    );
    println!(
        "the selection will be {}; logs in {}",
        layout.selection().display(),
        layout.logs().display()
    );
    Ok(())
}

impl Plan {
    /// Checks every input the jobs will read, and the output directory,
    /// before anything is written.
    fn check(args: &Args) -> Result<Plan> {
        let load = args.read.load_options()?;
        args.selection.check(&load)?;
        args.predict.params()?;
        args.predict.device.parse::<DeviceSpec>()?;
        if args.max_running == Some(0) {
            bail!("--max-running 0: expected at least 1");
        }
        let (n, langs) = (args.pool.len(), args.predict.language.len());
        if langs > 1 && langs != n {
            bail!(
                "--language: {langs} languages for {n} --pool files; give one for all the files or one per file"
            );
        }
        let pool = check_pool(&args.pool, &load)?;
        sacx_pipeline::predict::checkpoint_dirs(&args.model).context("--model")?;
        let model = std::path::absolute(&args.model)?;
        let layout = PoolLayout::new(std::path::absolute(&args.out)?);
        check_out(&layout, &args.out)?;
        check_resumable(&layout, &pool, args.predict.chunk_docs)?;
        Ok(Plan {
            exe: std::env::current_exe().context("cannot locate the sacx binary")?,
            cwd: std::env::current_dir().context("cannot read the working directory")?,
            layout,
            model,
            pool,
        })
    }

    /// The array job: task N scores pool file N into `predictions/NNNNN`.
    fn predict_script(&self, args: &Args) -> String {
        let n = self.pool.len();
        let mut range = format!("0-{}", n - 1);
        if let Some(k) = args.max_running {
            range.push_str(&format!("%{k}"));
        }
        let log = self.layout.logs().join("predict-%a.out");
        let job = Job {
            name: "sacx-predict",
            array: Some(&range),
            log: &log,
        };
        let mut s = args.scheduler.header(&self.cwd, &job);
        let dirs: Vec<PathBuf> = (0..n).map(|i| self.layout.predictions(i)).collect();
        s.push_str(&bash_array("pool", &self.pool));
        s.push_str(&bash_array("out", &dirs));
        let langs = &args.predict.language;
        if langs.len() > 1 {
            s.push_str(&bash_array("language", langs));
        }
        s.push_str("i=${SLURM_ARRAY_TASK_ID}\n");
        let mut words = vec![
            Word::text("exec"),
            Word::text(&self.exe),
            Word::text("predict"),
            Word::text("--model"),
            Word::text(&self.model),
            Word::text("--corpus"),
            Word::Shell("\"${pool[$i]}\"".into()),
            Word::text("--out"),
            Word::Shell("\"${out[$i]}\"".into()),
        ];
        words.extend(args.read.to_args().iter().map(Word::text));
        words.extend(args.predict.to_args().iter().map(Word::text));
        match &langs[..] {
            [] => {}
            [one] => words.extend([Word::text("--language"), Word::text(one)]),
            _ => words.extend([
                Word::text("--language"),
                Word::Shell("\"${language[$i]}\"".into()),
            ]),
        }
        words.push(Word::text("--threads"));
        words.push(match args.predict.threads {
            Some(t) => Word::text(t.to_string()),
            None => Word::Shell("\"${SLURM_CPUS_PER_TASK}\"".into()),
        });
        s.push_str(&command_line(&words));
        s.push('\n');
        s
    }

    /// The selection job: `sacx select` over every file's predictions.
    fn select_script(&self, args: &Args) -> Result<String> {
        let log = self.layout.logs().join("select.out");
        let job = Job {
            name: "sacx-select",
            array: None,
            log: &log,
        };
        let mut s = args.scheduler.header(&self.cwd, &job);
        s.push_str("export RAYON_NUM_THREADS=\"${SLURM_CPUS_PER_TASK}\"\n");
        let mut words = vec![
            Word::text("exec"),
            Word::text(&self.exe),
            Word::text("select"),
            Word::text("--predictions"),
        ];
        words.extend((0..self.pool.len()).map(|i| Word::text(self.layout.predictions(i))));
        words.push(Word::text("--corpus"));
        words.extend(self.pool.iter().map(Word::text));
        words.push(Word::text("--out"));
        words.push(Word::text(self.layout.selection()));
        words.extend(args.read.to_args().iter().map(Word::text));
        words.extend(args.selection.to_args()?.iter().map(Word::text));
        s.push_str(&command_line(&words));
        s.push('\n');
        Ok(s)
    }

    /// Submits the array job, then the selection job after it.
    fn submit_script(&self) -> String {
        let path = |p: PathBuf| quote(&p.to_string_lossy());
        format!(
            "#!/bin/bash\n\
             # The prediction array job, then the selection job once every task succeeded.\n\
             set -euo pipefail\n\
             predict=$(sbatch --parsable {})\n\
             predict=${{predict%%;*}}\n\
             select=$(sbatch --parsable --dependency=afterok:\"$predict\" {})\n\
             echo \"predict $predict\"\n\
             echo \"select ${{select%%;*}}\"\n",
            path(self.layout.predict_script()),
            path(self.layout.select_script()),
        )
    }
}

/// The pool files made absolute, each once, each opening with a first document.
fn check_pool(files: &[PathBuf], load: &sacx_data::LoadOptions) -> Result<Vec<PathBuf>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let shown = file.display();
        if !file.is_file() {
            bail!("--pool {shown}: no such file");
        }
        let abs = std::path::absolute(file)?;
        if !seen.insert(abs.clone()) {
            bail!("--pool {shown}: given twice; give each file of the pool once");
        }
        let mut docs = DocStream::open(std::slice::from_ref(file), load)
            .with_context(|| format!("--pool {shown}"))?;
        if docs.next().transpose()?.is_none() {
            bail!("--pool {shown}: no document with a non-empty text");
        }
        out.push(abs);
    }
    Ok(out)
}

/// Refuses an output directory that `sacx slurm select` did not write.
fn check_out(layout: &PoolLayout, given: &Path) -> Result<()> {
    let root = layout.root();
    if root.exists() && !root.is_dir() {
        bail!("--out {}: exists and is not a directory", given.display());
    }
    let empty = std::fs::read_dir(root).map_or(true, |mut e| e.next().is_none());
    if !empty && !layout.is_written() {
        bail!(
            "--out {}: a non-empty directory that sacx slurm select did not write; give a new or empty directory",
            given.display()
        );
    }
    sacx_select::check_replaceable(&layout.selection())?;
    Ok(())
}

/// Refuses a submission into a directory whose predictions a task could not
/// resume: made from another file at that index, or with another chunk size.
fn check_resumable(layout: &PoolLayout, pool: &[PathBuf], chunk_docs: u64) -> Result<()> {
    for (i, file) in pool.iter().enumerate() {
        let dir = layout.predictions(i);
        if !dir.join(MANIFEST_FILE).is_file() {
            continue;
        }
        let saved = read_manifest(&dir)?;
        let now = InputFile::of(file)?;
        let same_file = matches!(&saved.inputs[..], [one] if (one.bytes, &one.fingerprint) == (now.bytes, &now.fingerprint));
        if !same_file {
            let was: Vec<&str> = saved.inputs.iter().map(|f| f.path.as_str()).collect();
            bail!(
                "--pool {}: {} holds the predictions of another file ({}); give the pool files in the order first submitted, or another --out",
                file.display(),
                dir.display(),
                was.join(", ")
            );
        }
        if saved.chunk_docs != chunk_docs {
            bail!(
                "--chunk-docs {chunk_docs}: {} was predicted with --chunk-docs {}; give that, or another --out",
                dir.display(),
                saved.chunk_docs
            );
        }
    }
    Ok(())
}

/// `name=( … )`: one quoted word a line.
fn bash_array<T: AsRef<std::ffi::OsStr>>(name: &str, items: &[T]) -> String {
    let mut s = format!("{name}=(\n");
    for item in items {
        s.push_str(&format!("  {}\n", quote(&item.as_ref().to_string_lossy())));
    }
    s.push_str(")\n");
    s
}
