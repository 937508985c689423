//! A local SMTP server for tests that need a real SMTP conversation: the `mailin` SMTP library driving a
//! TCP listener, a thread per connection, keeping every message it receives.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};

/// What the local SMTP server received, in order (each message as sent).
#[derive(Clone, Default)]
pub struct Inbox(pub Arc<Mutex<Vec<String>>>);

struct Collector {
    inbox: Inbox,
    current: Vec<u8>,
}

impl mailin::Handler for Collector {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        let message = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.inbox.0.lock().unwrap().push(message);
        mailin::response::OK
    }
}

/// Serves SMTP on `listener`, a thread per connection.
pub fn serve_smtp(listener: TcpListener, inbox: Inbox) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let inbox = inbox.clone();
            std::thread::spawn(move || {
                let handler = Collector { inbox, current: Vec::new() };
                let mut session = mailin::SessionBuilder::new("smtp.test").build(IpAddr::from([127, 0, 0, 1]), handler);
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                if session.greeting().write_to(&mut writer).is_err() {
                    return;
                }
                let mut line = Vec::new();
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let response = session.process(&line);
                    line.clear();
                    match response.action {
                        mailin::Action::NoReply => continue,
                        mailin::Action::Close => {
                            let _ = response.write_to(&mut writer);
                            break;
                        }
                        _ => {
                            if response.write_to(&mut writer).and_then(|()| writer.flush()).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
}

/// A local SMTP server on a free port: its `smtp://` URL and what it receives.
pub fn local_smtp() -> (String, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let inbox = Inbox::default();
    serve_smtp(listener, inbox.clone());
    (url, inbox)
}
