//! `sacx doctor` runs without LD_LIBRARY_PATH (rpath) and reports what sacx runs on.
use std::process::Command;

#[test]
fn doctor_reports_libtorch_device_and_bundled_corpus() {
    let out = Command::new(env!("CARGO_BIN_EXE_sacx"))
        .arg("doctor")
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("run sacx doctor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "doctor failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("sacx {}", env!("CARGO_PKG_VERSION"))),
        "{stdout}"
    );
    assert!(stdout.contains("libtorch 2.11.0"), "{stdout}");
    assert!(stdout.contains("libtorch_cuda: linked"), "{stdout}");
    let device = stdout
        .lines()
        .find(|l| l.starts_with("device: "))
        .expect("a device line");
    let expected = if tch::Cuda::is_available() {
        "device: cuda:0"
    } else {
        "device: cpu"
    };
    assert!(device.starts_with(expected), "{device}");
    assert!(
        stdout.contains("bundled corpus: appstream.jsonl.gz"),
        "{stdout}"
    );
    assert!(stdout.contains("9493 documents"), "{stdout}");
}
