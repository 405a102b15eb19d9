/** Each command's usage, printed by `<command> --help` and named in error hints. */
export const COMMAND_USAGE = {
  serve: `usage: cameras-usb2 serve --stdio [options]

One JSON command per line on stdin, one JSON status per line on stdout (see README).
Without --output-dir or storage.base_path, trials go to ./recordings under the current folder.

options:
  --host-dialect plain|rpi-logger   how errors are sent (--enable-commands implies rpi-logger)
  --config-path FILE                JSON, or the host's key = value config.txt; a file that
                                    cannot be read or does not validate stops the start
  --output-dir DIR                  where trials go (default for storage.base_path)
  --session-prefix NAME             default for storage.session_prefix
  --instance-id ID                  reported in ready
  --log-level LEVEL                 debug shows everything on stderr; otherwise warnings only
  --max-line-bytes N                longest accepted input line (default 1048576)
  --http HOST:PORT                  serve the web view (at /) and the clip API there; anything
                                    but loopback needs http.token in the config
  --segments                        keep the rolling segment ring (clips of the past)
  --key-file KEY                    encrypt every recording with this key (from keygen; mode 0600);
                                    as encryption.key_file. A key that cannot be used stops the start
  --passphrase-file FILE            first line: the passphrase of a passphrase key file (else
                                    CAMERAS_USB2_PASSPHRASE, else asked when stdin is a terminal)
  -h, --help                        this text
The RPi_Logger host's other flags (--no-console, --platform, ...) are accepted and unknown
ones are tolerated with a warning on stderr, as its protocol asks.`,
  devices: `usage: cameras-usb2 devices [--json]

Lists the cameras of this machine with their modes, controls and the assign_device payload.
Linux: CAMERAS_SYSFS_ROOT / CAMERAS_DEV_ROOT point at another sysfs / dev tree.

options:
  --json       machine-readable output
  -h, --help   this text`,
  demo: `usage: cameras-usb2 demo [--out DIR] [--seconds N] [--cameras N] [--camera SPEC] [--http HOST:PORT] [--segments] [--key-file KEY [--passphrase-file FILE]]

Records one trial from a camera (the synthetic one by default) and checks the files with ffprobe.

options:
  --out DIR       folder for the files (default: a new demo-output-* folder here)
  --seconds N     trial length, up to 3600 (default 3)
  --cameras N     cameras recorded at once, up to 16 (default 1)
  --camera SPEC   synthetic:WxH@fps (default synthetic:1280x720@30), replay:FILE or /dev/videoN
  --http HOST:PORT  serve the web view and the clip API while the demo records (loopback only;
                  with several cameras, camera N listens on PORT+N-1)
  --segments      keep the rolling segment ring, so clips can be cut from a second terminal
  --key-file KEY  record encrypted (only .enc files are written); the demo then verifies each
                  file and checks the trial decrypted in memory (no plaintext file is written)
  --passphrase-file FILE  the passphrase of a passphrase key file, from its first line (else
                  CAMERAS_USB2_PASSPHRASE, else asked when stdin is a terminal)
  -h, --help      this text`,
  repair: `usage: cameras-usb2 repair DIR [--json]

Finds the trials under DIR that did not finish (a crash or kill -9 left their metadata
without end time and totals), completes their metadata from the timing CSV and the video,
adds the Matroska index (Cues) where it is missing (remux with -c copy, swapped in
atomically), and reports what it did. Finished trials, and files changed in the last 5 s
(maybe still recording), are left alone. Exit code 1 when a trial could not be repaired.

options:
  --json       machine-readable report
  -h, --help   this text`,
  'install-rpi-logger': `usage: cameras-usb2 install-rpi-logger <RPi_Logger rpi_logger/modules folder>

Makes this module RPi_Logger's camera module (the original launcher is set aside).

options:
  -h, --help   this text`,
  'uninstall-rpi-logger': `usage: cameras-usb2 uninstall-rpi-logger <RPi_Logger rpi_logger/modules folder>

Puts the original camera module back.

options:
  -h, --help   this text`,
  clip: `usage: cameras-usb2 clip --url URL (--start-ms A --stop-ms B | --start-pts A --stop-pts B) [options]

Asks a running producer (its HTTP clip API) for a clip of that window, waits for it and prints
the clip's path. Exit code 1 when the clip failed (the producer's reason on stderr), 2 usage error.

options:
  --url URL            the producer, e.g. http://127.0.0.1:8765
  --start-ms/--stop-ms the window in epoch ms
  --start-pts/--stop-pts the window in the producer's pts (ns); wins over the epoch window
  --label L            clip label (file name prefix)
  --out DIR            folder inside the producer's clips folder
  --filename NAME      clip file name (sanitized, .mp4 added)
  --preroll-ms N, --postroll-ms N, --max-wait-ms N
  --token T            bearer token (also CAMERAS_HTTP_TOKEN)
  -h, --help           this text`,
  keygen: `usage: cameras-usb2 keygen [--x25519] [--passphrase] [--passphrase-file FILE] --out FILE

Writes a new random 256-bit encryption key to FILE (created exclusively, mode 0600), or with
--x25519 a key pair: FILE (private, 0600) and FILE.pub (the recipient key a recorder holds).

options:
  --x25519                a key pair for public-key mode
  --passphrase            protect the key with a passphrase (asked twice at the terminal, or from
                          --passphrase-file / CAMERAS_USB2_PASSPHRASE): FILE then holds scrypt's
                          parameters and salt, not the key; with --x25519 the private key is
                          encrypted PKCS#8 PEM (openssl pkey reads it with the passphrase)
  --passphrase-file FILE  the passphrase is this file's first line (implies --passphrase)
  -h, --help              this text`,
  decrypt: `usage: cameras-usb2 decrypt FILE.enc (--key-file KEY | --identity PRIVATE_KEY) [--passphrase-file FILE] [-o OUT | -o -] [--allow-truncated]

Streams the plaintext of an encrypted recording in constant memory (to stdout with -o -).

options:
  --key-file KEY          the symmetric key the file was written with
  --identity PRIVATE_KEY  the X25519 private key of the recipient
  --passphrase-file FILE  the key's passphrase, from the file's first line (else
                          CAMERAS_USB2_PASSPHRASE, else asked when stdin is a terminal)
  -o OUT                  where the plaintext goes (- for stdout)
  --allow-truncated       recover every complete segment of a file a crash cut short
  -h, --help              this text`,
  verify: `usage: cameras-usb2 verify FILE.enc (--key-file KEY | --identity PRIVATE_KEY) [--passphrase-file FILE] [--allow-truncated]

Checks every segment and says OK, or which segment at which offset failed and why.
Exit code 0 OK, 1 verification failed, 2 usage error.

options:
  --key-file KEY          the symmetric key
  --identity PRIVATE_KEY  the X25519 private key
  --passphrase-file FILE  the key's passphrase (as for decrypt)
  --allow-truncated       accept a file cut after a complete segment, and say how much was lost
  -h, --help              this text`,
} as const;

export type CliCommand = keyof typeof COMMAND_USAGE;

export const CLI_COMMANDS = Object.keys(COMMAND_USAGE) as CliCommand[];

export const GENERAL_USAGE = `usage: cameras-usb2 <command> [options]

commands:
  serve --stdio        one JSON command per line on stdin, one JSON status per line on stdout
  devices [--json]     list the cameras of this machine with their modes and controls
  demo                 record one trial from the synthetic camera and check the files
  repair DIR           complete the files of trials a crash left unfinished
  clip --url URL ...   ask a running producer for a clip of a time window; prints its path
  keygen --out FILE    a new encryption key (or --x25519 key pair)
  decrypt FILE.enc     stream the plaintext of an encrypted recording
  verify FILE.enc      check every segment of an encrypted recording
  install-rpi-logger <rpi_logger/modules>    make this module RPi_Logger's camera module
  uninstall-rpi-logger <rpi_logger/modules>  put the original camera module back

\`cameras-usb2 <command> --help\` describes a command.`;
