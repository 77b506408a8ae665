// The console's entry: its stylesheet and the app shell (lazy pages load on first use).
import './styles.css';
import './app';
