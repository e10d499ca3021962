//! (to be built) login throttling.

use crate::config::Settings;

pub struct LoginThrottle {}

impl LoginThrottle {
    pub fn new(_settings: &Settings) -> LoginThrottle {
        LoginThrottle {}
    }
}
