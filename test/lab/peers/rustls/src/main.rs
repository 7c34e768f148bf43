//! A rustls server for the mtls-doctor lab: AllowAnyAuthenticatedClient against a CA file, as rustls-based
//! mesh proxies (ztunnel, Linkerd's proxy) require client certificates. Prints "LISTEN <port>" once listening,
//! answers each request with a short HTTP 200 and exits when its standard input closes.
use std::io::{BufRead, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

fn b64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The DER of every PEM block of the given label ("CERTIFICATE", "PRIVATE KEY") in a file.
fn pem_blocks(path: &str, label: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| die(&format!("{}: {}", path, e)));
    let begin = format!("-----BEGIN {}-----", label);
    let end = format!("-----END {}-----", label);
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(&begin) {
        let after = &rest[i + begin.len()..];
        let j = after.find(&end).unwrap_or_else(|| die("unterminated PEM block"));
        out.push(b64(&after[..j]));
        rest = &after[j + end.len()..];
    }
    out
}

fn die(msg: &str) -> ! {
    eprintln!("rustls-peer: {}", msg);
    std::process::exit(1)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let cert = opt("--cert").unwrap_or_else(|| die("--cert FILE is required"));
    let key = opt("--key").unwrap_or_else(|| die("--key FILE is required"));
    let chain: Vec<rustls::Certificate> = pem_blocks(&cert, "CERTIFICATE").into_iter().map(rustls::Certificate).collect();
    let key = pem_blocks(&key, "PRIVATE KEY").into_iter().next().unwrap_or_else(|| die("no PKCS#8 PRIVATE KEY block"));

    let versions: Vec<&'static rustls::SupportedProtocolVersion> = match opt("--version").as_deref() {
        Some("1.2") => vec![&rustls::version::TLS12],
        Some("1.3") => vec![&rustls::version::TLS13],
        _ => vec![&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let builder = rustls::ServerConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(&versions)
        .unwrap_or_else(|e| die(&format!("{:?}", e)));
    let builder = match opt("--ca") {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for der in pem_blocks(&ca, "CERTIFICATE") {
                roots.add(&rustls::Certificate(der)).unwrap_or_else(|e| die(&format!("CA: {:?}", e)));
            }
            builder.with_client_cert_verifier(rustls::server::AllowAnyAuthenticatedClient::new(roots))
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, rustls::PrivateKey(key))
        .unwrap_or_else(|e| die(&format!("certificate/key: {:?}", e)));
    if let Some(alpn) = opt("--alpn") {
        config.alpn_protocols = alpn.split(',').map(|p| p.as_bytes().to_vec()).collect();
    }
    let config = Arc::new(config);

    let listener = TcpListener::bind(opt("--addr").unwrap_or_else(|| "127.0.0.1:0".into())).unwrap_or_else(|e| die(&e.to_string()));
    println!("LISTEN {}", listener.local_addr().unwrap().port());
    std::io::stdout().flush().ok();
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        std::io::stdin().read_to_end(&mut sink).ok();
        std::process::exit(0);
    });
    for stream in listener.incoming() {
        let mut tcp = match stream {
            Ok(s) => s,
            Err(_) => continue,
        };
        let config = config.clone();
        std::thread::spawn(move || {
            let mut conn = match rustls::ServerConnection::new(config) {
                Ok(c) => c,
                Err(_) => return,
            };
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            let mut reader = std::io::BufReader::new(&mut tls);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) => return,
                    Ok(_) if line == "\r\n" || line == "\n" => break,
                    Ok(_) => continue,
                    Err(e) => {
                        eprintln!("tls: {}", e);
                        return;
                    }
                }
            }
            drop(reader);
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n");
            tls.conn.send_close_notify();
            let _ = tls.flush();
        });
    }
}
