use alchemy_migrator::syntax::{Format, Node, Value, parse};
fn show(n: &Node, ind: usize) {
    match &n.value {
        Value::Object(es) => {
            println!("{:ind$}obj {}..{}", "", n.span.start, n.span.end, ind = ind);
            for e in es {
                println!(
                    "{:ind$}key {} {}..{}",
                    "",
                    e.key,
                    e.key_span.start,
                    e.key_span.end,
                    ind = ind + 2
                );
                show(&e.value, ind + 4);
            }
        }
        Value::Array(xs) => {
            println!("{:ind$}arr {}..{}", "", n.span.start, n.span.end, ind = ind);
            for x in xs {
                show(x, ind + 2);
            }
        }
        v => println!(
            "{:ind$}{:?} {}..{}",
            "",
            v,
            n.span.start,
            n.span.end,
            ind = ind
        ),
    }
}
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let (n, d) = parse(&text, Format::Toml, 0);
    if let Some(n) = n {
        show(&n, 0);
    }
    println!("{d:?}");
}
