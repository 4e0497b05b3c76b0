import { render } from 'preact';
import '../style.css';
import { setNamespace } from '../session';
import { App } from './App';

setNamespace('shop');
render(<App />, document.getElementById('app')!);
