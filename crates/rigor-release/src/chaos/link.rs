//! One proxied connection: two pumps (client → upstream, upstream → client), each a reader
//! that stamps chunks with their arrival time and a writer that passes them through the
//! toxics of its stream. A toxic may end the whole connection: closed, or reset (RST).

use super::toxics::{Kind, Stream, Toxic};
use rigor_perf::stats::SplitMix64;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep, sleep_until};

/// The toxics of a proxy, as every connection sees them (replaced whole on each change).
pub type ToxicSet = Arc<Vec<Toxic>>;

/// How a toxic ended a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Close,
    Reset,
}

const CHUNK: usize = 32 * 1024;

/// Serve one accepted client: connect upstream, pump both ways until both streams end, a toxic
/// ends the connection, or the proxy stops.
pub async fn serve(
    mut client: TcpStream,
    upstream: String,
    toxics: watch::Receiver<ToxicSet>,
    mut stop: watch::Receiver<bool>,
    seed: u64,
) {
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return; // the client sees its connection closed, as with Toxiproxy
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (end_tx, mut end_rx) = watch::channel(None::<End>);
    {
        let (mut cr, mut cw) = client.split();
        let (mut sr, mut sw) = server.split();
        let up = pump(
            Stream::Upstream,
            &mut cr,
            &mut sw,
            toxics.clone(),
            &end_tx,
            seed,
        );
        let down = pump(
            Stream::Downstream,
            &mut sr,
            &mut cw,
            toxics,
            &end_tx,
            seed ^ 0x5555_5555,
        );
        tokio::select! {
            _ = async { tokio::join!(up, down) } => {}
            _ = end_rx.wait_for(Option::is_some) => {}
            _ = stop.changed() => {}
        }
    }
    if *end_tx.borrow() == Some(End::Reset) {
        reset(&client);
        reset(&server);
    }
}

/// Close with RST instead of FIN: linger on, zero seconds.
fn reset(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a properly sized, initialised option value.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// A chunk and when it arrived; `None` data is the end of the stream.
type Chunk = (Instant, Option<Vec<u8>>);

async fn pump<R, W>(
    stream: Stream,
    reader: &mut R,
    writer: &mut W,
    toxics: watch::Receiver<ToxicSet>,
    end: &watch::Sender<Option<End>>,
    seed: u64,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (tx, rx) = mpsc::channel::<Chunk>(64);
    let read = async move {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = reader.read(&mut buf).await.unwrap_or(0);
            let data = (n > 0).then(|| buf[..n].to_vec());
            let last = data.is_none();
            if tx.send((Instant::now(), data)).await.is_err() || last {
                return;
            }
        }
    };
    let mut w = Writer {
        stream,
        toxics,
        seen: HashMap::new(),
        rng: SplitMix64::new(seed),
        passed: 0,
        pace: Instant::now(),
    };
    let write = async {
        if let Some(e) = w.run(rx, writer).await {
            let _ = end.send(Some(e));
        }
    };
    tokio::join!(read, write);
}

/// Wait until `deadline`, exactly: nothing at all when it has passed (a tokio timer set in the
/// past still waits for the timer's next one-millisecond tick, which made every chunk of a plain
/// proxy late by up to a millisecond), tokio's timer until just before it (the timer fires on whole
/// milliseconds, late by up to one), and the last stretch (under 1.5 ms) asleep on this thread.
async fn sleep_precisely(deadline: Instant) {
    const FINE: std::time::Duration = std::time::Duration::from_micros(1500);
    if deadline <= Instant::now() {
        return;
    }
    if let Some(coarse) = deadline.checked_sub(FINE)
        && coarse > Instant::now()
    {
        sleep_until(coarse).await;
    }
    let now = Instant::now();
    if deadline > now {
        std::thread::sleep(deadline - now);
    }
}

/// The writing half of a pump and what it remembers about the toxics it has met.
struct Writer {
    stream: Stream,
    toxics: watch::Receiver<ToxicSet>,
    /// Per toxic name: whether it applies to this connection (drawn once against its
    /// toxicity) and when it reached the connection.
    seen: HashMap<String, (bool, Instant)>,
    rng: SplitMix64,
    /// Bytes written so far (for `limit_data`).
    passed: u64,
    /// The bandwidth pacing clock.
    pace: Instant,
}

impl Writer {
    /// The toxics of this stream that apply to this connection, with when each arrived.
    fn active(&mut self) -> Vec<(Kind, Instant)> {
        let set = self.toxics.borrow_and_update().clone();
        let now = Instant::now();
        let mut out = Vec::new();
        for t in set.iter().filter(|t| t.stream == self.stream) {
            let rng = &mut self.rng;
            let (applies, since) = *self
                .seen
                .entry(format!("{}/{}", t.name, t.kind.type_name()))
                .or_insert_with(|| (rng.uniform() < t.toxicity, now));
            if applies {
                out.push((t.kind, since));
            }
        }
        out
    }

    /// The earliest moment a timer toxic ends the connection, and how.
    fn deadline(active: &[(Kind, Instant)]) -> Option<(Instant, End)> {
        active
            .iter()
            .filter_map(|(k, since)| match k {
                Kind::Timeout(t) => t.closes_after().map(|d| (*since + d, End::Close)),
                Kind::ResetPeer(r) => Some((*since + r.resets_after(), End::Reset)),
                _ => None,
            })
            .min_by_key(|(at, _)| *at)
    }

    async fn run<W: AsyncWrite + Unpin>(
        &mut self,
        mut rx: mpsc::Receiver<Chunk>,
        writer: &mut W,
    ) -> Option<End> {
        loop {
            let active = self.active();
            let deadline = Self::deadline(&active);
            // A timer toxic that is due ends the connection before anything more passes (a
            // tokio timer set in the past would still wait for its next tick).
            if let Some((at, end)) = deadline
                && at <= Instant::now()
            {
                return Some(end);
            }
            let far = Instant::now() + std::time::Duration::from_secs(86_400);
            tokio::select! {
                biased;
                _ = sleep_until(deadline.map(|d| d.0).unwrap_or(far)), if deadline.is_some() => {
                    return deadline.map(|d| d.1);
                }
                msg = rx.recv() => {
                    let (arrived, data) = msg?;
                    let active = self.active();
                    if let Some((at, end)) = Self::deadline(&active)
                        && at <= Instant::now()
                    {
                        return Some(end);
                    }
                    match data {
                        Some(data) => {
                            if let Some(end) = self.pass(&active, arrived, data, writer).await {
                                return Some(end);
                            }
                        }
                        None => {
                            self.close(&active, writer).await;
                            return None;
                        }
                    }
                }
                changed = self.toxics.changed() => {
                    if changed.is_err() {
                        return Some(End::Close);
                    }
                }
            }
        }
    }

    /// One chunk through the toxics: `timeout` (and a zero `bandwidth`) swallow it, `latency`
    /// holds it, `limit_data` cuts it, `slicer` splits it, `bandwidth` paces it.
    async fn pass<W: AsyncWrite + Unpin>(
        &mut self,
        active: &[(Kind, Instant)],
        arrived: Instant,
        mut data: Vec<u8>,
        writer: &mut W,
    ) -> Option<End> {
        let mut hold = std::time::Duration::ZERO;
        let mut limit_reached = false;
        let (mut slicer, mut bandwidth) = (None, None);
        for (kind, _) in active {
            match kind {
                Kind::Timeout(_) => return None,
                Kind::Bandwidth(b) if b.rate_kbs == 0 => return None,
                Kind::Bandwidth(b) => bandwidth = Some(*b),
                Kind::Latency(l) => hold += l.delay(&mut self.rng),
                Kind::LimitData(l) => {
                    let (take, done) = l.allow(self.passed, data.len());
                    data.truncate(take);
                    limit_reached |= done;
                }
                Kind::Slicer(s) => slicer = Some(*s),
                Kind::SlowClose(_) | Kind::ResetPeer(_) => {}
            }
        }
        sleep_precisely(arrived + hold).await;
        let cuts = match slicer {
            Some(s) => s.cuts(data.len(), &mut self.rng),
            None => vec![data.len()],
        };
        let mut at = 0;
        for (i, len) in cuts.into_iter().enumerate() {
            if i > 0
                && let Some(s) = slicer
            {
                sleep(s.delay()).await;
            }
            let piece = &data[at..at + len];
            at += len;
            if self.write_paced(piece, bandwidth, writer).await.is_err() {
                return Some(End::Close);
            }
        }
        limit_reached.then_some(End::Close)
    }

    async fn write_paced<W: AsyncWrite + Unpin>(
        &mut self,
        piece: &[u8],
        bandwidth: Option<super::toxics::bandwidth::Bandwidth>,
        writer: &mut W,
    ) -> std::io::Result<()> {
        let Some(b) = bandwidth else {
            self.passed += piece.len() as u64;
            return writer.write_all(piece).await;
        };
        for part in piece.chunks(b.slice_len()) {
            // A late wake-up (a busy machine) of less than one slice is made up by the next
            // slices; a stream idle for longer starts afresh, earning no burst.
            let now = Instant::now();
            let slice = b.time_for(b.slice_len()).unwrap_or_default();
            if self.pace + slice < now {
                self.pace = now;
            }
            self.pace += b.time_for(part.len()).unwrap_or_default();
            writer.write_all(part).await?;
            self.passed += part.len() as u64;
            sleep_until(self.pace).await;
        }
        Ok(())
    }

    /// The peer closed its side: pass the close on, late under `slow_close`.
    async fn close<W: AsyncWrite + Unpin>(&mut self, active: &[(Kind, Instant)], writer: &mut W) {
        let delay = active
            .iter()
            .filter_map(|(k, _)| match k {
                Kind::SlowClose(s) => Some(s.delay()),
                _ => None,
            })
            .max();
        if let Some(d) = delay {
            sleep(d).await;
        }
        let _ = writer.shutdown().await;
    }
}
