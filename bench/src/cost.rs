//! What one million wizard sessions cost: Lambda (arm64) duration and requests, HTTP API
//! requests, and DynamoDB on-demand request units, at the prices below.

/// A wizard session as the frontend makes it: one create, autosaves as fields are typed, a few
/// reads (page loads), and the delete once the project is made.
pub const AUTOSAVES_PER_SESSION: u64 = 24;
pub const READS_PER_SESSION: u64 = 3;

/// Prices in US dollars for us-east-1, without free tiers, written down on `READ_ON` from
/// `SOURCES` (which say how old each source is).
pub const REGION: &str = "us-east-1";
pub const READ_ON: &str = "2026-11-30";
pub const LAMBDA_ARM_PER_GB_SECOND: f64 = 0.000_013_333_4;
pub const LAMBDA_PER_MILLION_REQUESTS: f64 = 0.20;
pub const HTTP_API_PER_MILLION_REQUESTS: f64 = 1.00;
pub const DYNAMODB_PER_MILLION_WRITE_UNITS: f64 = 0.625;
pub const DYNAMODB_PER_MILLION_READ_UNITS: f64 = 0.125;
pub const SOURCES: &[&str] = &[
    "Lambda arm64 duration (first tier) and requests, DynamoDB on-demand request units: the AWS \
     Price List for us-east-1 (`aws pricing get-products --service-code AWSLambda|AmazonDynamoDB \
     --region us-east-1`), as quoted in a copy dated 2026-09-06; arm64 duration is 80% of \
     x86's, https://aws.amazon.com/blogs/aws/aws-lambda-functions-powered-by-aws-graviton2-processor-run-your-functions-on-arm-and-get-up-to-34-better-price-performance/",
    "Lambda billing per 1 ms, init included for custom runtimes: https://aws.amazon.com/lambda/pricing/, \
     https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase",
    "HTTP API, first 300 million requests a month, metered in 512 KB increments: \
     https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html",
    "Request units (1 KB per write unit, the larger of the item before and after; 4 KB per \
     strongly consistent read unit; TTL deletes free): \
     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html, \
     https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html",
];

/// What one verb costs per invocation, measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerbCost {
    /// Mean billed duration: each invocation's duration rounded up to a whole millisecond.
    pub billed_ms: f64,
    pub write_units: f64,
    pub read_units: f64,
}

/// The verbs of one session, measured at one memory size.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionVerbs {
    pub create: VerbCost,
    pub autosave: VerbCost,
    pub read: VerbCost,
    pub delete: VerbCost,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionCost {
    pub lambda: f64,
    pub http_api: f64,
    pub dynamodb: f64,
}

impl SessionCost {
    pub fn total(&self) -> f64 {
        self.lambda + self.http_api + self.dynamodb
    }
}

/// The cost of one million sessions at `memory_mb`.
pub fn per_million_sessions(memory_mb: u32, verbs: &SessionVerbs) -> SessionCost {
    let counted = [
        (1.0, verbs.create),
        (AUTOSAVES_PER_SESSION as f64, verbs.autosave),
        (READS_PER_SESSION as f64, verbs.read),
        (1.0, verbs.delete),
    ];
    let requests: f64 = counted.iter().map(|(n, _)| n).sum();
    per_million(memory_mb, &counted, requests)
}

/// The cost of one million of something made of `invocations` (how many of each, and what
/// each costs) and `api_calls` HTTP API requests (CORS preflights among them, where counted).
pub fn per_million(memory_mb: u32, invocations: &[(f64, VerbCost)], api_calls: f64) -> SessionCost {
    let requests: f64 = invocations.iter().map(|(n, _)| n).sum();
    let gb_seconds: f64 = invocations
        .iter()
        .map(|(n, v)| n * v.billed_ms / 1000.0 * f64::from(memory_mb) / 1024.0)
        .sum();
    let write_units: f64 = invocations.iter().map(|(n, v)| n * v.write_units).sum();
    let read_units: f64 = invocations.iter().map(|(n, v)| n * v.read_units).sum();
    let million = 1e6;
    SessionCost {
        lambda: million
            * (gb_seconds * LAMBDA_ARM_PER_GB_SECOND
                + requests * LAMBDA_PER_MILLION_REQUESTS / 1e6),
        http_api: million * api_calls * HTTP_API_PER_MILLION_REQUESTS / 1e6,
        dynamodb: million
            * (write_units * DYNAMODB_PER_MILLION_WRITE_UNITS / 1e6
                + read_units * DYNAMODB_PER_MILLION_READ_UNITS / 1e6),
    }
}

/// Billed duration of one invocation: rounded up to the millisecond.
pub fn billed_ms(duration_ms: f64) -> f64 {
    duration_ms.ceil().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verbs(billed_ms: f64) -> SessionVerbs {
        let verb = |w, r| VerbCost {
            billed_ms,
            write_units: w,
            read_units: r,
        };
        SessionVerbs {
            create: verb(1.0, 0.0),
            autosave: verb(1.0, 0.0),
            read: verb(0.0, 1.0),
            delete: verb(1.0, 0.0),
        }
    }

    #[test]
    fn a_million_sessions_of_29_requests_cost_their_requests_units_and_gb_seconds() {
        let cost = per_million_sessions(1024, &verbs(1.0));
        let requests = 1.0 + AUTOSAVES_PER_SESSION as f64 + READS_PER_SESSION as f64 + 1.0;
        assert!((cost.http_api - requests).abs() < 1e-9);
        // 29 ms of 1 GB per session: 29,000 GB-s per million, plus 29 M Lambda requests.
        let lambda = requests * 1000.0 * LAMBDA_ARM_PER_GB_SECOND + requests * 0.20;
        assert!((cost.lambda - lambda).abs() < 1e-9, "{cost:?}");
        let dynamodb =
            (requests - READS_PER_SESSION as f64) * 0.625 + READS_PER_SESSION as f64 * 0.125;
        assert!((cost.dynamodb - dynamodb).abs() < 1e-9, "{cost:?}");
    }

    #[test]
    fn duration_cost_scales_with_memory_at_equal_billed_time() {
        let small = per_million_sessions(128, &verbs(2.0));
        let large = per_million_sessions(1024, &verbs(2.0));
        let duration = |c: SessionCost| c.lambda - 29.0 * 0.20;
        assert!((duration(large) / duration(small) - 8.0).abs() < 1e-9);
        assert_eq!(billed_ms(0.2), 1.0);
        assert_eq!(billed_ms(3.01), 4.0);
    }
}
