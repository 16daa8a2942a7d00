//! The threads decodes run on: exactly as many as the queue's decoders. The allocator keeps
//! some of the memory a decode frees in the arena of the thread that freed it; on tokio's
//! blocking pool (hundreds of threads, a new one whenever all are busy) a flood of decodes left
//! up to one arena per thread holding such memory. Here it is bounded by the number of decoders.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, mpsc};

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of decode threads; clones share them, and they end with the last clone.
#[derive(Debug, Clone)]
pub struct Pool {
    jobs: mpsc::Sender<Job>,
}

impl Pool {
    pub fn new(threads: usize) -> Self {
        let (jobs, queued) = mpsc::channel::<Job>();
        let queued = Arc::new(Mutex::new(queued));
        for i in 0..threads.max(1) {
            let queued = queued.clone();
            let worker = move || {
                // The lock is held only while waiting for the next job, not while running it.
                while let Ok(job) = queued.lock().unwrap_or_else(|p| p.into_inner()).recv() {
                    // A panicking job drops its answer's sender: the caller sees it; the thread
                    // stays.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            };
            std::thread::Builder::new().name(format!("decode-{i}")).spawn(worker).expect("starting a decode thread");
        }
        Self { jobs }
    }

    /// Runs `work` on one of the threads and waits for its result without blocking an async
    /// worker. The caller holds a queue permit, so a thread is free (or about to be).
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        self.jobs.send(job).expect("the decode threads live as long as the pool");
        answered.await.expect("image analysis does not panic")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_pools_threads_and_a_panic_does_not_lose_a_thread() {
        let pool = Pool::new(1);
        let name = pool.run(|| std::thread::current().name().map(str::to_owned)).await;
        assert_eq!(name.as_deref(), Some("decode-0"));
        let failed = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|| panic!("a decoder bug")).await }
        });
        assert!(failed.await.is_err());
        assert_eq!(pool.run(|| 6 * 7).await, 42);
    }
}
