//! The plain answers of a verification ([`Verdict`]) in the reader's language.

use super::Lang;
use crate::domain::verify::Verdict;

impl Lang {
    /// One plain answer, in this language.
    pub fn verdict(self, v: &Verdict) -> String {
        if self == Self::En {
            return v.to_string();
        }
        match v {
            Verdict::FileMatches => "这正是所登记的文件。".into(),
            Verdict::FileDiffers => "这不是所登记的文件。".into(),
            Verdict::NoFile => "未提供文件：只核对了收据，没有核对文件。".into(),
            Verdict::ReceiptValid { height, log } => {
                format!("收据有效：该记录位于日志 {log} 第 {height} 号区块，并由足够多的独立见证人共同签署。")
            }
            Verdict::ReceiptInvalid { failed } => format!("收据无效：以下检查未通过：{}。", failed.join("、")),
            Verdict::SameHeader { height } => format!("服务仍然显示相同的历史：第 {height} 号区块未变。"),
            Verdict::DifferentHeader { height } => format!("服务现在在此高度（{height}）显示的是不同的历史。"),
            Verdict::HeaderGone { height } => {
                format!("服务现在显示的是不同的历史：它不再显示此区块（第 {height} 号）。")
            }
            Verdict::ServiceUnavailable => "无法向服务核实它是否仍显示此历史（见各项检查）。".into(),
            Verdict::HistoryLinked { head } => {
                format!("服务最新的已共同签署区块（第 {head} 号）建立在此区块之上：此后的历史未被改写。")
            }
            Verdict::HistoryNotBeyond { checked } => {
                format!("此区块之后的历史只核对了 {checked} 个区块，未核对到服务最新的区块。")
            }
            Verdict::HistoryBroken => {
                "服务最新的历史并非建立在此区块之上，或未按要求共同签署（见 online_head）。".into()
            }
        }
    }
}
