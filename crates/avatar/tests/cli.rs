//! The `userdesk-avatar` binary: writes what `process` returns, explains bad input, exits
//! non-zero.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use userdesk_avatar::{CropRect, Options};

fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_userdesk-avatar"));
    for arg in args {
        command.arg(arg);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn writes_exactly_what_process_returns() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    let output = dir.path().join("out.jpg");
    let bytes = with_orientation(&jpeg(&photo(400, 300)), 6);
    // A JPEG named .png: the name does not matter.
    std::fs::write(&input, &bytes).unwrap();

    let result = run(&[&input, &output, &"--size", &"100", &"--crop", &"10,20,200,150"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let expected = userdesk_avatar::process(
        &bytes,
        &Options { size: 100, crop: Some(CropRect::new(10, 20, 200, 150)), ..Options::default() },
    )
    .unwrap();
    assert_eq!(std::fs::read(&output).unwrap(), expected.bytes);
    assert_eq!((expected.width, expected.height), (100, 75));
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(stdout.contains("100 × 75 image/jpeg"), "{stdout}");
}

#[test]
fn bad_input_exits_one_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.jpg");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("notes.jpg", b"just some text\n".to_vec(), "this is a text file, not an image [image_unsupported]"),
        ("empty.jpg", Vec::new(), "the file is empty [image_empty]"),
        ("IMG_0001.HEIC", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(), "HEIC images are not supported"),
        ("cut.jpg", jpeg(&photo(64, 64))[..300].to_vec(), "[image_corrupt]"),
    ];
    for (name, bytes, message) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let result = run(&[&input, &output]);
        assert_eq!(result.status.code(), Some(1), "{name}");
        let stderr = stderr(&result);
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: the message names the file: {stderr}");
        assert!(!output.exists(), "{name}: nothing written");
    }

    let missing = run(&[&dir.path().join("missing.jpg"), &output]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot read"));
}

#[test]
fn bad_arguments_exit_two_with_usage() {
    for args in [
        vec!["only-one"],
        vec!["a", "b", "--size", "big"],
        vec!["a", "b", "--crop", "1,2,3"],
        vec!["a", "b", "--frobnicate"],
    ] {
        let args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            args.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>).collect();
        let result = run(&args);
        assert_eq!(result.status.code(), Some(2));
        assert!(stderr(&result).contains("usage: userdesk-avatar"));
    }
    assert!(run(&[&"--help"]).status.success());
}

#[test]
fn crop_outside_the_image_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    std::fs::write(&input, png_rgb(&solid(40, 30, RED))).unwrap();
    let output = dir.path().join("out");
    let result = run(&[&input, &output, &"--crop", &"30,0,20,20"]);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("does not fit inside the 40 × 30 image [image_invalid_crop]"),
        "{}",
        stderr(&result)
    );
    assert!(!Path::new(&output).exists());
}
