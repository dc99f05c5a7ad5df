//! `userdesk-avatar INPUT OUTPUT [--size N] [--crop X,Y,W,H]`: writes exactly the avatar the app
//! would upload for INPUT.

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use userdesk_avatar::{CropRect, Error, Options};

const USAGE: &str = "usage: userdesk-avatar INPUT OUTPUT [--size N] [--crop X,Y,W,H]

Turns the image INPUT (JPEG, PNG, WebP, GIF or BMP) into the avatar the app would upload and
writes it to OUTPUT: EXIF orientation applied, cropped (the centre square unless --crop gives a
rectangle in pixels of the upright image), resized so its longer side is at most N (default
512), JPEG or (with transparency) PNG, without metadata.";

struct Args {
    input: PathBuf,
    output: PathBuf,
    options: Options,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--size" => {
                let value = args.next().ok_or("--size needs a value")?;
                options.size = value.parse().map_err(|_| format!("--size: not a number: {value}"))?;
            }
            "--crop" => {
                let value = args.next().ok_or("--crop needs X,Y,W,H")?;
                options.crop = Some(parse_crop(&value)?);
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    match <[PathBuf; 2]>::try_from(positional) {
        Ok([input, output]) => Ok(Args { input, output, options }),
        Err(_) => Err("expected INPUT and OUTPUT".into()),
    }
}

fn parse_crop(value: &str) -> Result<CropRect, String> {
    let numbers: Vec<u32> = value
        .split(',')
        .map(|n| n.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("--crop: expected X,Y,W,H in whole pixels, not {value}"))?;
    match numbers[..] {
        [x, y, w, h] => Ok(CropRect::new(x, y, w, h)),
        _ => Err(format!("--crop: expected four numbers X,Y,W,H, not {value}")),
    }
}

/// Reads INPUT once, refusing before reading when it is larger than the limit.
fn read_input(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let file = File::open(path).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    if size > max {
        return Err(explain(&Error::TooLarge { size, max }));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow while we read; never take more than one byte past the limit.
    file.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    Ok(bytes)
}

fn explain(error: &Error) -> String {
    format!("{error} [{}]", error.code())
}

fn run(args: Args) -> Result<String, String> {
    let bytes = read_input(&args.input, args.options.limits.max_input_bytes)?;
    let avatar = userdesk_avatar::process(&bytes, &args.options)
        .map_err(|e| format!("{}: {}", args.input.display(), explain(&e)))?;
    std::fs::write(&args.output, &avatar.bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    Ok(format!(
        "{} × {} {}, {} bytes → {}",
        avatar.width,
        avatar.height,
        avatar.mime,
        avatar.bytes.len(),
        args.output.display()
    ))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("userdesk-avatar: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("userdesk-avatar: {message}");
            ExitCode::FAILURE
        }
    }
}
