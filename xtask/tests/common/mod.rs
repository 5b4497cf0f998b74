//! Helpers shared by the xtask tests: a scripted HTTP responder on 127.0.0.1 and a small
//! valid document.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A small valid OpenAPI 3.0 document with two tags and three operations.
pub const FRAGMENT: &str = "\
openapi: 3.0.4
info:
  title: XAPI
  version: 1.0.0
paths:
  /Users:
    get:
      tags:
        - Users
      operationId: ListUser
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pbx.UserCollection'
  /Users({Id}):
    delete:
      tags:
        - Users
      operationId: DeleteUser
      parameters:
        - name: Id
          in: path
          required: true
          schema:
            type: integer
            format: int32
      responses:
        '204':
          description: Success
  /ActiveCalls:
    get:
      tags:
        - ActiveCalls
      operationId: ListActiveCall
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  value:
                    type: array
                    items:
                      type: string
components:
  schemas:
    Pbx.UserCollection:
      type: object
      properties:
        value:
          type: array
          items:
            $ref: '#/components/schemas/Pbx.User'
    Pbx.User:
      type: object
      properties:
        Id:
          type: integer
          format: int32
        AuthenticationType:
          type: string
          enum:
            - No
            - Yes
";

/// A scripted response: status, content type and body.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// One request as the responder received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A responder on 127.0.0.1 that responds to one request per connection with the next reply.
pub struct Responder {
    pub base_url: String,
    handle: JoinHandle<Vec<Received>>,
}

impl Responder {
    /// Binds an ephemeral port and serves `replies` in order, each on its own connection.
    ///
    /// The thread stops after the last reply, or 20 s after starting, whichever comes first.
    pub fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(20);
            let mut received = Vec::new();
            for reply in replies {
                let stream = loop {
                    match listener.accept() {
                        Ok((stream, _)) => break Some(stream),
                        Err(_) if Instant::now() < deadline => {
                            std::thread::sleep(Duration::from_millis(5))
                        }
                        Err(_) => break None,
                    }
                };
                let Some(stream) = stream else {
                    break;
                };
                received.push(answer(stream, &reply));
            }
            received
        });
        Responder { base_url, handle }
    }

    /// Waits for the responder to finish and returns the requests it received.
    pub fn finish(self) -> Vec<Received> {
        self.handle.join().expect("responder thread")
    }
}

fn answer(stream: TcpStream, reply: &Reply) -> Received {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());

    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();

    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();

    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {} Scripted\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&reply.body).unwrap();
    stream.flush().unwrap();

    Received {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
